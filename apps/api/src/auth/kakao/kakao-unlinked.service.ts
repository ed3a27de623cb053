import { AppError, constantTimeEqual, ErrorCode } from '@app/core';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { UsersService } from '@api/users';
import { AccountClosure } from '../account/account-closure.service.js';
import { AUTH_CONFIG, type AuthConfig } from '../auth.config.js';
import type { KakaoUnlinkCallbackQueryDto } from './dto/kakao-unlink-callback.query.dto.js';

/**
 * Kakao's unlink callback: a user disconnected Modak on Kakao's side, or left Kakao. The call must carry the app's admin
 * key and id. An account that can still sign in with its verified email and password keeps going without its Kakao
 * link; an account that signed in with Kakao only is closed (Kakao has unlinked it already). Idempotent: a second
 * delivery finds no account with that Kakao id and changes nothing.
 */
@Injectable()
export class KakaoUnlinked {
  private readonly logger = new Logger(KakaoUnlinked.name);

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly users: UsersService,
    private readonly closure: AccountClosure,
  ) {}

  async handle(authorization: string | undefined, callback: KakaoUnlinkCallbackQueryDto): Promise<void> {
    const adminKey = this.config.kakao?.adminKey;
    if (!adminKey || !constantTimeEqual(authorization ?? '', `KakaoAK ${adminKey}`)) {
      throw new AppError(ErrorCode.Unauthorized, 'The callback must carry the app admin key');
    }
    if (callback.app_id !== this.config.kakao?.appId) {
      throw new AppError(ErrorCode.Forbidden, 'The callback is for another Kakao app');
    }
    const user = await this.users.findByKakaoIdForAccess(callback.user_id);
    if (!user) return;
    if (user.passwordHash && user.emailVerifiedAt) {
      await this.users.update(user.id, { kakaoId: null });
    } else {
      await this.closure.close(user, { unlinkKakao: false });
    }
    this.logger.log(
      { event: 'kakao_unlinked', userId: user.id, referrerType: callback.referrer_type },
      'Kakao unlinked',
    );
  }
}
