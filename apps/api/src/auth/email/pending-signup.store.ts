import { InjectRedis } from '@app/redis';
import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { PENDING_SIGNUP_TTL_MS, PENDING_SIGNUPS_MAX } from '../auth.constants.js';
import { addressDigest, AuthKeys } from '../auth.keys.js';

/** A signup waiting for its address to be proven: the account it becomes, once someone proves it with this password. */
export interface PendingSignup {
  /** The id the account will have. */
  id: string;
  passwordHash: string;
  nickname: string;
  createdAt: Date;
}

interface Stored {
  passwordHash: string;
  nickname: string;
  createdAt: number;
  expiresAt: number;
}

// The pending signups of an address sit in one hash, field = id, value = JSON with `expiresAt` (ms, on Redis's clock).
// Each script first drops the expired ones and leaves the rest in `live` (field, value pairs).
const LIVE_SIGNUPS = `
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local live = {}
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if cjson.decode(fields[i + 1]).expiresAt <= now then
    redis.call('HDEL', KEYS[1], fields[i])
  else
    table.insert(live, fields[i])
    table.insert(live, fields[i + 1])
  end
end`;

// KEYS: the signups. ARGV: id, password hash, nickname, life in ms, most signups. Adds one (1) unless the address
// already has the most it may (0): no signup ever replaces or pushes out another.
const ADD_SCRIPT = `${LIVE_SIGNUPS}
if #live / 2 >= tonumber(ARGV[5]) then return 0 end
local ttl = tonumber(ARGV[4])
redis.call('HSET', KEYS[1], ARGV[1],
  cjson.encode({passwordHash = ARGV[2], nickname = ARGV[3], createdAt = now, expiresAt = now + ttl}))
redis.call('PEXPIRE', KEYS[1], ttl)
return 1`;

const LIST_SCRIPT = `${LIVE_SIGNUPS}
return live`;

/**
 * Signups whose address is not proven yet, kept apart from accounts: each keeps its own password, a later signup for
 * the same address never touches an earlier one, and proving the address activates only the signup whose password
 * comes with the proof (no pre-account takeover). An address has at most a few, for a day.
 */
@Injectable()
export class PendingSignupStore {
  constructor(
    @InjectRedis() private readonly redis: Redis,
    private readonly keys: AuthKeys,
  ) {}

  /** Keeps a signup for `email`; false (and nothing kept) when the address already has the most it may. */
  async add(email: string, signup: PendingSignup): Promise<boolean> {
    const added = await this.redis.eval(
      ADD_SCRIPT,
      1,
      this.key(email),
      signup.id,
      signup.passwordHash,
      signup.nickname,
      PENDING_SIGNUP_TTL_MS,
      PENDING_SIGNUPS_MAX,
    );
    return added === 1;
  }

  /** The live signups of `email`, oldest first. */
  async list(email: string): Promise<PendingSignup[]> {
    const live = (await this.redis.eval(LIST_SCRIPT, 1, this.key(email))) as string[];
    const signups: PendingSignup[] = [];
    for (let i = 0; i < live.length; i += 2) {
      const stored = JSON.parse(live[i + 1]) as Stored;
      signups.push({
        id: live[i],
        passwordHash: stored.passwordHash,
        nickname: stored.nickname,
        createdAt: new Date(stored.createdAt),
      });
    }
    return signups.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  /** Drops every signup of `email`: the address is now an account's. */
  async clear(email: string): Promise<void> {
    await this.redis.del(this.key(email));
  }

  private key(email: string): string {
    return this.keys.pendingSignups(addressDigest(email));
  }
}
