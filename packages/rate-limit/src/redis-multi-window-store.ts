import { createHash } from 'node:crypto';
import type { ConsumeResult, MultiWindowStore, WindowCount, WindowLimit } from './multi-window-store.js';

/**
 * Sends one raw Redis command and resolves with its reply, as rate-limit-redis takes it. node-redis:
 * `(...args) => client.sendCommand(args)`; ioredis: `(command, ...args) => client.call(command, ...args)`.
 * For a Redis Cluster, route the command by its first key (the argument after the key count).
 */
export type RedisSendCommand = (...args: string[]) => Promise<unknown>;

export interface RedisMultiWindowStoreOptions {
  /** Required. */
  readonly sendCommand: RedisSendCommand;
  /** Prepended to every key. @default 'rl:' */
  readonly prefix?: string;
}

/** A multi-window store in Redis, as `createRedisMultiWindowStore` returns it. */
export interface RedisMultiWindowStore extends MultiWindowStore {
  readonly localKeys: false;
  readonly prefix: string;
  /** The Redis keys of one client: one hash per window, all under the client's `{hash tag}`. */
  keysOf(key: string, windows: readonly Pick<WindowLimit, 'name'>[]): string[];
  resetKey(key: string): Promise<void>;
}

/**
 * One call counts a client in every window, or in none. KEYS: one hash per window (fields `s` period start,
 * `c` current count, `p` previous count). ARGV[1]: now in ms; then per window: windowMs, limit, 1 for sliding.
 * Returns { refusedBy (1-based, 0 = counted), then s, c, p per window }. The same rules as window-math.ts.
 */
export const MULTI_WINDOW_SCRIPT = `
local now = tonumber(ARGV[1])
local n = #KEYS
local s, c, p, w, sliding = {}, {}, {}, {}, {}
local refused = 0
for i = 1, n do
  w[i] = tonumber(ARGV[(i - 1) * 3 + 2])
  local limit = tonumber(ARGV[(i - 1) * 3 + 3])
  sliding[i] = ARGV[(i - 1) * 3 + 4] == '1'
  local v = redis.call('HMGET', KEYS[i], 's', 'c', 'p')
  local start = tonumber(v[1])
  local current = tonumber(v[2]) or 0
  local previous = tonumber(v[3]) or 0
  if start == nil then
    start, current, previous = now, 0, 0
  elseif sliding[i] then
    if now >= start + 2 * w[i] then
      start, current, previous = now, 0, 0
    elseif now >= start + w[i] then
      start, current, previous = start + w[i], 0, current
    end
  elseif now >= start + w[i] then
    start, current, previous = now, 0, 0
  end
  local used = current
  if sliding[i] and previous > 0 then
    local elapsed = math.min(math.max(now - start, 0), w[i])
    used = previous * ((w[i] - elapsed) / w[i]) + current
  end
  if refused == 0 and used + 1 > limit then refused = i end
  s[i], c[i], p[i] = start, current, previous
end
local reply = { refused }
for i = 1, n do
  if refused == 0 then
    c[i] = c[i] + 1
    redis.call('HSET', KEYS[i], 's', string.format('%.0f', s[i]), 'c', c[i], 'p', p[i])
    local ends = s[i] + (sliding[i] and 2 or 1) * w[i]
    redis.call('PEXPIRE', KEYS[i], math.max(ends - now, 1))
  end
  reply[#reply + 1] = s[i]
  reply[#reply + 1] = c[i]
  reply[#reply + 1] = p[i]
end
return reply
`;

const SCRIPT_SHA = createHash('sha1').update(MULTI_WINDOW_SCRIPT).digest('hex');

function isNoScript(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith('NOSCRIPT') || message.includes(' NOSCRIPT ');
}

/** `{` and `}` would end the hash tag early: escaped, injectively (`%` first). */
const TAG_SPECIAL = /[%{}]/;

function hashTag(key: string): string {
  if (!TAG_SPECIAL.test(key)) return key;
  return key.replaceAll('%', '%25').replaceAll('{', '%7B').replaceAll('}', '%7D');
}

function toNumber(value: unknown): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) throw new TypeError(`unexpected reply element ${JSON.stringify(value)}`);
  return number;
}

/**
 * The multi-window store for Redis: one `EVALSHA` per request counts every window of the client, or none when
 * one refuses (a refused request spends no quota). The keys of one client share the hash tag `{client}`, so they
 * live in one slot (Redis Cluster runs the script on one node). On `NOSCRIPT` (after `SCRIPT FLUSH`, a restart or
 * a fail-over) the same call is sent again as `EVAL`, which also caches the script: nothing to load at start,
 * nothing to re-initialise when Redis comes back. Counts use the caller's clock (`now` of `createRateLimit`), so
 * the instances sharing a Redis must have synchronised clocks; expiries are relative (`PEXPIRE`).
 */
export function createRedisMultiWindowStore(options: RedisMultiWindowStoreOptions): RedisMultiWindowStore {
  if (typeof options !== 'object' || options === null || typeof options.sendCommand !== 'function') {
    throw new TypeError('createRedisMultiWindowStore: sendCommand must be a function');
  }
  const prefix = options.prefix ?? 'rl:';
  if (typeof prefix !== 'string' || /[{}]/.test(prefix) || prefix.length > 128) {
    throw new TypeError(
      `createRedisMultiWindowStore: prefix must be a string of at most 128 characters without { or }, got ${JSON.stringify(prefix)}`,
    );
  }
  const send = options.sendCommand;
  const windowNames = new Set<string>();

  const keysOf = (key: string, windows: readonly Pick<WindowLimit, 'name'>[]): string[] => {
    const tag = `${prefix}{${hashTag(key)}}:`;
    return windows.map((window) => `${tag}${window.name}`);
  };

  /** Sends `command` (`EVALSHA <sha> ...`); on `NOSCRIPT` the same arguments again as `EVAL <script> ...`. */
  async function run(command: string[]): Promise<unknown> {
    try {
      return await send(...command);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      command[0] = 'EVAL';
      command[1] = MULTI_WINDOW_SCRIPT;
      return send(...command);
    }
  }

  return {
    localKeys: false,
    prefix,
    keysOf,
    async consume(key: string, windows: readonly WindowLimit[], now: number): Promise<ConsumeResult> {
      const at = Math.floor(now);
      // One array, built once: EVALSHA sha numkeys key... now (windowMs limit sliding)...
      const tag = `${prefix}{${hashTag(key)}}:`;
      const command = ['EVALSHA', SCRIPT_SHA, String(windows.length)];
      for (const window of windows) {
        windowNames.add(window.name);
        command.push(`${tag}${window.name}`);
      }
      command.push(String(at));
      for (const window of windows) {
        command.push(
          String(window.windowMs),
          String(window.limit),
          window.algorithm === 'sliding' ? '1' : '0',
        );
      }
      const reply = await run(command);
      if (!Array.isArray(reply) || reply.length !== 1 + 3 * windows.length) {
        throw new TypeError(`createRedisMultiWindowStore: unexpected script reply ${JSON.stringify(reply)}`);
      }
      const counts: WindowCount[] = [];
      for (let index = 0; index < windows.length; index += 1) {
        const base = 1 + index * 3;
        counts.push({
          start: toNumber(reply[base]),
          current: toNumber(reply[base + 1]),
          previous: toNumber(reply[base + 2]),
        });
      }
      return { refusedBy: toNumber(reply[0]) - 1, counts, now: at };
    },
    async resetKey(key: string): Promise<void> {
      if (windowNames.size === 0) return;
      await send(
        'DEL',
        ...keysOf(
          key,
          [...windowNames].map((name) => ({ name })),
        ),
      );
    },
  };
}
