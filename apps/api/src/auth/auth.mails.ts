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

export function passwordResetMail(email: string, code: string): MailJob {
  const minutes = EMAIL_CODE_TTL_MS / 60_000;
  return {
    to: [email],
    subject: `[Modak] 비밀번호 재설정 코드 ${code} (password reset code)`,
    text: [
      `모닥 비밀번호 재설정 코드: ${code}`,
      `${minutes}분 안에 입력해 주세요. 요청하지 않았다면 이 메일을 무시하세요. 비밀번호는 바뀌지 않습니다.`,
      '',
      `Your Modak password reset code is ${code}. It expires in ${minutes} minutes.`,
      'If you did not ask for it, ignore this mail: your password stays as it is.',
    ].join('\n'),
  };
}

/** The answer to a forgotten password of an account that has none: it signs in with Kakao. */
export function kakaoOnlyResetMail(email: string): MailJob {
  return {
    to: [email],
    subject: '[Modak] 카카오로 로그인해 주세요 (sign in with Kakao)',
    text: [
      '이 주소의 모닥 계정은 비밀번호 없이 카카오 로그인을 씁니다. "카카오로 로그인"을 눌러 주세요.',
      '요청하지 않았다면 이 메일을 무시하세요.',
      '',
      'Your Modak account signs in with Kakao and has no password: use "Sign in with Kakao".',
      'If you did not ask for a password reset, ignore this mail.',
    ].join('\n'),
  };
}

/** The notice that follows a password change or reset: when, and from which client. */
export function passwordChangedMail(email: string, at: Date, client: { ip: string; userAgent: string }): MailJob {
  const when = at.toISOString();
  const from = `${client.ip}${client.userAgent ? ` (${client.userAgent})` : ''}`;
  return {
    to: [email],
    subject: '[Modak] 비밀번호가 변경되었습니다 (your password was changed)',
    text: [
      `모닥 계정의 비밀번호가 ${when}에 ${from}에서 변경되었습니다. 다른 기기의 로그인은 모두 종료되었습니다.`,
      '본인이 아니라면 즉시 "비밀번호 찾기"로 비밀번호를 재설정해 주세요.',
      '',
      `Your Modak password was changed at ${when} from ${from}. Your sessions on other devices have ended.`,
      'If this was not you, reset your password now with "Forgot password".',
    ].join('\n'),
  };
}
