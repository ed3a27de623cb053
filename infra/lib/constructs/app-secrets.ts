import { Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * The application's own secrets. The JWT key and the mail seal key are generated; the SMTP URL and the Kakao client secret are created with a
 * random placeholder that an operator replaces before the first deploy of the services (docs/deploy.md).
 */
export class AppSecrets extends Construct {
  readonly jwt: Secret;
  readonly mailSeal: Secret;
  readonly smtpUrl: Secret;
  /** Only when Kakao sign-in is configured. */
  readonly kakaoClientSecret?: Secret;
  /** Only when Kakao sign-in is configured: the api checks Kakao's unlink callback with it, the worker unlinks. */
  readonly kakaoAdminKey?: Secret;

  constructor(scope: Construct, id: string, props: { kakao: boolean }) {
    super(scope, id);
    this.jwt = new Secret(this, 'Jwt', {
      secretName: 'modak/jwt-secret',
      description: 'JWT_SECRET: the HS256 key of the access tokens',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    this.mailSeal = new Secret(this, 'MailSeal', {
      secretName: 'modak/mail-seal-key',
      description: 'MAIL_SEAL_KEY: seals mail (verification codes) in the queue between the api and the worker',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    this.smtpUrl = new Secret(this, 'SmtpUrl', {
      secretName: 'modak/smtp-url',
      description: 'SMTP_URL: smtp://<SES SMTP user>:<SES SMTP password>@email-smtp.<region>.amazonaws.com:587',
    });
    if (props.kakao) {
      this.kakaoClientSecret = new Secret(this, 'KakaoClientSecret', {
        secretName: 'modak/kakao-client-secret',
        description: 'KAKAO_CLIENT_SECRET: the client secret of the Kakao app',
      });
      this.kakaoAdminKey = new Secret(this, 'KakaoAdminKey', {
        secretName: 'modak/kakao-admin-key',
        description: "KAKAO_ADMIN_KEY: the Kakao app's admin key (unlink, and the unlink callback's check)",
      });
    }
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The tasks read these secrets when they start, and the SMTP credentials and the Kakao secret and admin key are issued by SES and Kakao, not generated here; each is rotated with a rolling restart by the runbook in docs/deploy.md.',
    });
  }
}
