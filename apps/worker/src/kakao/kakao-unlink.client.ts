import { UnrecoverableError } from 'bullmq';

/** Kakao unlinks within this long, or the job is tried again later. */
const KAKAO_TIMEOUT_MS = 5_000;

/** Kakao's answer for a user that is not (or no longer) linked to the app: the unlink is already done. */
const NOT_REGISTERED = -101;

export interface KakaoAdminConfig {
  apiUrl: string;
  /** Unset: unlink jobs fail without retry, and are kept until someone sets it and retries them. */
  adminKey?: string;
}

/** Unlinks a Kakao user from the app with the admin key (KAKAO.md "Logout and unlink"). */
export class KakaoUnlinkClient {
  constructor(private readonly config: KakaoAdminConfig) {}

  /** Resolves once Kakao says the user is unlinked (or was already); throws for a try later. */
  async unlink(kakaoId: string): Promise<void> {
    if (!this.config.adminKey)
      throw new UnrecoverableError('KAKAO_ADMIN_KEY is not set: Kakao users cannot be unlinked');
    const response = await fetch(`${this.config.apiUrl.replace(/\/$/, '')}/v1/user/unlink`, {
      method: 'POST',
      headers: {
        authorization: `KakaoAK ${this.config.adminKey}`,
        'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
      },
      body: new URLSearchParams({ target_id_type: 'user_id', target_id: kakaoId }).toString(),
      signal: AbortSignal.timeout(KAKAO_TIMEOUT_MS),
    });
    const body = await response.text();
    if (response.ok) return;
    const code = kakaoErrorCode(body);
    if (response.status === 400 && code === NOT_REGISTERED) return;
    // A wrong admin key will not right itself on retry, but an operator can fix it and retry the job.
    throw new Error(`Kakao answered ${response.status} (code ${code ?? '?'}) to the unlink`);
  }
}

function kakaoErrorCode(body: string): number | undefined {
  try {
    const { code } = JSON.parse(body) as { code?: unknown };
    return typeof code === 'number' ? code : undefined;
  } catch {
    return undefined;
  }
}
