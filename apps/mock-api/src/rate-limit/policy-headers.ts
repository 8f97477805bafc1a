import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { ClientRateLimitInfo } from 'express-rate-limit';

/**
 * Appends one IETF draft-8 `RateLimit` / `RateLimit-Policy` pair for a window the request did not reach, in
 * exactly the form express-rate-limit writes for the windows it did reach, so a 429 always describes both
 * windows.
 */
export function appendPolicyHeaders(
  res: ServerResponse,
  policy: { readonly name: string; readonly limit: number; readonly windowMs: number },
  key: string,
  info: ClientRateLimitInfo | undefined,
  now: number,
): void {
  if (res.headersSent) return;
  const windowSeconds = Math.ceil(policy.windowMs / 1000);
  const used = info?.totalHits ?? 0;
  const resetSeconds =
    info?.resetTime === undefined
      ? windowSeconds
      : Math.max(0, Math.ceil((info.resetTime.getTime() - now) / 1000));
  const remaining = Math.max(policy.limit - used, 0);
  const partitionKey = Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString(
    'base64',
  );
  res.appendHeader('RateLimit', `"${policy.name}"; r=${remaining}; t=${resetSeconds}`);
  res.appendHeader(
    'RateLimit-Policy',
    `"${policy.name}"; q=${policy.limit}; w=${windowSeconds}; pk=:${partitionKey}:`,
  );
}
