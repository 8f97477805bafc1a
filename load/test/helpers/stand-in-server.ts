import type { ServiceSpec } from '../../src/service.js';

/**
 * A tiny HTTP server run as a child process with `node -e`: it answers 200 JSON on every path, logs the
 * listening line the runner parses, and stops on SIGTERM. `STAND_IN_STATUS` changes the status of
 * non-health paths.
 */
export const STAND_IN_SERVER_SOURCE = `
const http = require('node:http');
const status = Number(process.env.STAND_IN_STATUS || 200);
const server = http.createServer((req, res) => {
  const health = req.url === '/healthz' || req.url === '/readyz';
  res.writeHead(health ? 200 : status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ok: true, path: req.url }));
});
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ level: 30, msg: 'listening', port: server.address().port }) + '\\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

export function standInService(name = 'stand-in', env: Record<string, string> = {}): ServiceSpec {
  return { name, args: ['-e', STAND_IN_SERVER_SOURCE], env };
}
