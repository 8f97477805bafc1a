// A TypeScript consumer, compiled with `module: nodenext` twice: once in a folder whose package.json says
// "type": "module" (ES module output, `import`) and once in a "type": "commonjs" folder (`require()` output).
// The same source must typecheck, compile and run in both. It prints the same `ok ...` lines as the scripts.
import { type CircuitState, createCircuitBreaker, isCircuitOpenError } from '@resilience/circuit-breaker';
import { createHttpClient, type HttpClientOptions, isHttpStatusError } from '@resilience/http-client';
import { createHttpMetrics, listen } from '@resilience/http-server';
import { createLogger, httpLogger, type Logger } from '@resilience/logging';
import { type ClientIdentity, createRateLimit, isRateLimitError } from '@resilience/rate-limit';
import express from 'express';

const say = (line: string): void => {
  process.stdout.write(`ok ${line}\n`);
};
function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${message}`);
}

/** Never called: each line must be a type error, or the package's types have gone loose (`any`). */
export function typeErrors(logger: Logger): void {
  // @ts-expect-error failureThreshold is a number
  createCircuitBreaker({ failureThreshold: 'three' });
  // @ts-expect-error timeoutMs is the option; axios' timeout is rejected
  const options: HttpClientOptions = { timeout: 1000 };
  // @ts-expect-error a log method takes an object or a message, not a number alone
  logger.info(42, 43);
  // @ts-expect-error windowMs is a number of milliseconds
  createRateLimit({ windows: [{ name: 'minute', windowMs: '1m', limit: 1 }] });
  void options;
}

async function main(): Promise<void> {
  const logger = createLogger({ service: 'stranger-ts' });
  logger.info({ step: 'logger' }, 'logger writes');

  const breaker = createCircuitBreaker({ failureThreshold: 2, resetTimeoutMs: 60_000 });
  for (let i = 0; i < 2; i += 1)
    await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => {});
  const state: CircuitState = breaker.state;
  const rejection: unknown = await breaker.execute(() => Promise.resolve('unreachable')).catch((e) => e);
  check(state === 'OPEN' && isCircuitOpenError(rejection), `breaker ${state}`);
  breaker.shutdown();
  say(`breaker ${state}, next call ${rejection.code}`);

  let hits = 0;
  const metrics = createHttpMetrics({ collectDefaultMetrics: false });
  const app = express();
  app.use(metrics.middleware);
  app.use(httpLogger({ logger }));
  app.get('/flaky', (req, res) => {
    hits += 1;
    const requestId: string = req.id; // typed by the package's augmentation of node:http
    if (hits === 1) res.status(503).json({ requestId });
    else res.json({ ok: true, requestId });
  });
  app.get('/missing', (_req, res) => {
    res.status(404).json({ error: 'no such thing' });
  });
  const limiter = createRateLimit({ windows: [{ name: 'minute', windowMs: 60_000, limit: 1 }] });
  app.get('/limited', limiter, (req, res) => {
    const client: ClientIdentity | undefined = req.rateLimitClient; // typed by the package's augmentation
    res.json({ client: client?.kind });
  });
  const listening = await listen(app, { port: 0, logger });

  const client = createHttpClient({
    baseURL: listening.url,
    logger,
    retry: { baseDelayMs: 1, jitter: 'none' },
  });
  const { data } = await client.get<{ ok: boolean; requestId: string }>('/flaky');
  check(data.ok && hits === 2, `hits ${hits}`);
  say(`http-client 200 after ${hits} attempts`);
  const notFound: unknown = await client.get('/missing').catch((e) => e);
  check(isHttpStatusError(notFound) && notFound.status === 404, 'a 404 is an HttpStatusError');
  say(`http-client ${notFound.code} ${notFound.status} not retried`);
  const limited = [await fetch(`${listening.url}/limited`), await fetch(`${listening.url}/limited`)];
  const refusal = (await limited[1]?.json()) as { error: string };
  check(limited[0]?.status === 200 && limited[1]?.status === 429, 'one request a minute on /limited');
  check(refusal.error === 'rate_limited' && !isRateLimitError(refusal), `refusal ${refusal.error}`);
  await limiter.close();
  say('rate-limit 200 then 429 rate_limited');
  client.close();
  await listening.close();
  say('http-server closed');
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
