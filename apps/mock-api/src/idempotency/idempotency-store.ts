/** An answer kept for replay. */
export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
  /** Response headers to replay besides the body (e.g. `location`). */
  readonly headers: Readonly<Record<string, string>>;
}

export type IdempotencyRecord =
  | { readonly state: 'in_flight'; readonly fingerprint: string; readonly token: string }
  | { readonly state: 'completed'; readonly fingerprint: string; readonly response: StoredResponse };

export type BeginOutcome =
  | { readonly kind: 'claimed'; readonly token: string }
  | { readonly kind: 'existing'; readonly record: IdempotencyRecord };

/**
 * Idempotency records. `begin` claims a key atomically (one caller wins, across instances with Redis); the
 * winner later `complete`s it with the answer to replay, or `release`s it when it produced no answer worth
 * keeping (a 5xx), so a retry can run again.
 */
export interface IdempotencyStore {
  begin(key: string, fingerprint: string): Promise<BeginOutcome>;
  complete(key: string, token: string, fingerprint: string, response: StoredResponse): Promise<void>;
  release(key: string, token: string): Promise<void>;
}

/** Completed records are kept this long. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/**
 * An in-flight claim expires after this long, so a key whose request died with its process (no `complete`,
 * no `release`) does not answer 409 for a whole day.
 */
export const IDEMPOTENCY_LOCK_TTL_MS = 60_000;
