import type { ServiceSpec } from '../../src/service.js';

/**
 * A tiny HTTP server run as a child process with `node -e`: it answers 200 JSON on every path, logs the
 * listening line the runner parses, and stops on SIGTERM. `STAND_IN_STATUS` changes the status of
 * non-health paths; `STAND_IN_ORDERS` is the JSON body of `GET /api/orders`; `STAND_IN_EXIT_AFTER` makes it
 * exit once it has answered that many non-health requests (a service that dies under load).
 */
export const STAND_IN_SERVER_SOURCE = `
const http = require('node:http');
const status = Number(process.env.STAND_IN_STATUS || 200);
const exitAfter = Number(process.env.STAND_IN_EXIT_AFTER || 0);
let answered = 0;
const server = http.createServer((req, res) => {
  const health = req.url === '/healthz' || req.url === '/readyz';
  if (req.url === '/api/orders' && process.env.STAND_IN_ORDERS) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(process.env.STAND_IN_ORDERS);
    return;
  }
  res.writeHead(health ? 200 : status, { 'content-type': 'application/json' });
  const last = !health && exitAfter > 0 && ++answered >= exitAfter;
  res.end(JSON.stringify({ ok: true, path: req.url }), () => {
    if (last) process.exit(3);
  });
});
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ level: 30, msg: 'listening', port: server.address().port }) + '\\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

export function standInService(name = 'stand-in', env: Record<string, string> = {}): ServiceSpec {
  return { name, args: ['-e', STAND_IN_SERVER_SOURCE], env };
}
