import type { MailJob } from '@app/queue';
import { EMAIL_CODE_TTL_MS } from './auth.constants.js';

export function verificationMail(email: string, code: string): MailJob {
  const minutes = EMAIL_CODE_TTL_MS / 60_000;
  return {
    to: [email],
    subject: `[Modak] 인증 코드 ${code} (verification code)`,
    text: [
      `모닥 인증 코드: ${code}`,
      `${minutes}분 안에 입력해 주세요. 요청하지 않았다면 이 메일을 무시하세요.`,
      '',
      `Your Modak verification code is ${code}. It expires in ${minutes} minutes.`,
      'If you did not sign up, ignore this mail.',
    ].join('\n'),
  };
}
