// What someone else's CommonJS project writes after `npm install` of the tarballs: `require()` of our ES
// modules (Node's require(esm)). Every step prints one line that starts with `ok `; log lines are JSON. Exits 0
// only when every step worked.
const {
  isCircuitOpenError: isOpenFromBreaker,
  createCircuitBreaker,
} = require('@resilience/circuit-breaker');
const { createHttpClient, isCircuitOpenError } = require('@resilience/http-client');
const { createHttpMetrics, installGracefulShutdown, listen } = require('@resilience/http-server');
const { createLogger, httpLogger, runWithRequestContext } = require('@resilience/logging');
const { createRateLimit } = require('@resilience/rate-limit');
const express = require('express');

const say = (line) => process.stdout.write(`ok ${line}\n`);
function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

const logger = createLogger({ service: 'stranger-cjs' });
runWithRequestContext('req-stranger-cjs', () => logger.info({ step: 'logger' }, 'logger writes'));

async function main() {
  // circuit breaker: opens after 3 consecutive failures, then rejects without calling the function
  const breaker = createCircuitBreaker({ name: 'upstream', failureThreshold: 3, resetTimeoutMs: 60_000 });
  let calls = 0;
  const failing = async () => {
    calls += 1;
    throw new Error('upstream down');
  };
  for (let i = 0; i < 3; i += 1) await breaker.execute(failing).catch(() => undefined);
  const rejection = await breaker.execute(failing).catch((error) => error);
  check(breaker.state === 'OPEN', `breaker state ${breaker.state}`);
  check(isOpenFromBreaker(rejection) && isCircuitOpenError(rejection), 'rejection is a CircuitOpenError');
  check(calls === 3, `function called ${calls} times`);
  breaker.shutdown();
  say(`breaker ${breaker.state} after ${calls} failures, next call ${rejection.code}`);

  // http-server + logging: an Express app with metrics and the request logger, on port 0
  let flakyHits = 0;
  const seenRequestIds = [];
  const metrics = createHttpMetrics({ collectDefaultMetrics: false });
  const app = express();
  app.use(metrics.middleware);
  app.use(httpLogger({ logger }));
  app.get('/flaky', (req, res) => {
    flakyHits += 1;
    seenRequestIds.push(req.id);
    if (flakyHits === 1) res.status(503).json({ error: 'warming up' });
    else res.json({ ok: true, hits: flakyHits });
  });
  app.get('/metrics', metrics.handler);
  // rate-limit: one request a minute per client on /limited
  const limiter = createRateLimit({ windows: [{ name: 'minute', windowMs: 60_000, limit: 1 }] });
  app.get('/limited', limiter, (req, res) => res.json({ client: req.rateLimitClient.kind }));
  const { server, url } = await listen(app, { port: 0, logger });

  // http-client: retries the 503 and gets the 200, with the caller's request id on both attempts
  const client = createHttpClient({
    baseURL: url,
    logger,
    retry: { retries: 2, baseDelayMs: 1, jitter: 'none' },
  });
  const response = await runWithRequestContext('req-stranger-cjs', () => client.get('/flaky'));
  check(response.status === 200 && response.data.ok === true, `status ${response.status}`);
  check(flakyHits === 2, `server saw ${flakyHits} requests`);
  check(
    seenRequestIds.every((id) => id === 'req-stranger-cjs'),
    `request ids ${seenRequestIds.join(',')}`,
  );
  say(`http-client ${response.status} after ${flakyHits} attempts, request id ${seenRequestIds[1]}`);

  const { data: text } = await client.get('/metrics', { responseType: 'text' });
  check(
    text.includes('http_requests_total{method="GET",route="/flaky",status="503"} 1'),
    'metrics count the 503',
  );
  check(
    text.includes('http_requests_total{method="GET",route="/flaky",status="200"} 1'),
    'metrics count the 200',
  );
  say('http-server metrics count 1 x 503 and 1 x 200 on /flaky');

  const first = await fetch(`${url}/limited`);
  const second = await fetch(`${url}/limited`);
  const refusal = await second.json();
  check(first.status === 200 && (await first.json()).client === 'ip', `first /limited ${first.status}`);
  check(second.status === 429 && refusal.error === 'rate_limited', `second /limited ${second.status}`);
  check(refusal.requestId === second.headers.get('x-request-id'), `requestId ${refusal.requestId}`);
  check(/^"minute"; r=0; t=\d+$/.test(second.headers.get('ratelimit') ?? ''), 'RateLimit header');
  await limiter.close();
  say('rate-limit 200 then 429 rate_limited with RateLimit headers');
  client.close();

  // graceful shutdown, as a signal would start it (exit injected so the script can report)
  let exitCode;
  const shutdown = installGracefulShutdown(server, {
    logger,
    signals: [],
    exit: (code) => (exitCode = code),
  });
  await shutdown.shutdown('script done');
  check(exitCode === 0 && !server.listening, `exit code ${exitCode}, listening ${server.listening}`);
  say('http-server shut down with exit code 0');
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
