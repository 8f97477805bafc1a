import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** One request as the Artillery processor saw it (`src/artillery/request-log.mts`). */
export interface RequestRecord {
  readonly type: 'request';
  /** When the request started, epoch ms. */
  readonly t: number;
  /** Time to first byte in ms; `null` when no response arrived. */
  readonly ms: number | null;
  /** How long a request that got no response waited before its error, in ms. */
  readonly elapsedMs?: number;
  /** The request's `name:` in the scenario. */
  readonly name: string;
  readonly method: string;
  /** `http://127.0.0.1:port` the request went to. */
  readonly origin?: string;
  /** HTTP status; `null` when no response arrived. */
  readonly status: number | null;
  /** Error code when no response arrived (`ETIMEDOUT`, `ECONNRESET`, ...). */
  readonly error?: string;
  /** Virtual-user id. */
  readonly vu: string;
  /** `X-Forwarded-For` sent. */
  readonly client?: string;
  readonly idempotencyKey?: string;
  readonly xCache?: string;
  readonly retryAfter?: string;
  readonly rateLimit?: string;
  /** Order id from a successful POST's JSON body. */
  readonly orderId?: string;
}

/** A virtual user starting or ending. */
export interface SessionRecord {
  readonly type: 'session';
  readonly event: 'start' | 'end';
  readonly t: number;
  readonly vu: string;
}

export interface RequestLog {
  /** Sorted by start time. */
  readonly requests: readonly RequestRecord[];
  /** Sorted by time. */
  readonly sessions: readonly SessionRecord[];
  /** Lines that were not valid records (a torn last line, for example). */
  readonly skippedLines: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Parses JSON lines into records; anything that is not a record is counted and skipped. */
export function parseRequestLog(text: string): RequestLog {
  const requests: RequestRecord[] = [];
  const sessions: SessionRecord[] = [];
  let skippedLines = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      skippedLines += 1;
      continue;
    }
    if (isRecord(value) && value.type === 'request' && typeof value.t === 'number') {
      requests.push(value as unknown as RequestRecord);
    } else if (isRecord(value) && value.type === 'session' && typeof value.t === 'number') {
      sessions.push(value as unknown as SessionRecord);
    } else {
      skippedLines += 1;
    }
  }
  requests.sort((a, b) => a.t - b.t);
  sessions.sort((a, b) => a.t - b.t);
  return { requests, sessions, skippedLines };
}

/** Reads every `<prefix>.*.jsonl` file the processor wrote (one per Artillery worker). */
export async function readRequestLog(prefix: string): Promise<RequestLog> {
  const directory = dirname(prefix);
  const stem = `${basename(prefix)}.`;
  const names = (await readdir(directory)).filter((name) => name.startsWith(stem) && name.endsWith('.jsonl'));
  const texts = await Promise.all(names.map((name) => readFile(join(directory, name), 'utf8')));
  return parseRequestLog(texts.join('\n'));
}
