/**
 * Upstream for the HTTP client benchmark: a raw `node:http` server on 127.0.0.1 (port chosen by the OS).
 * `GET /ok` answers a small JSON document, `GET /fail` answers 503, `GET /stats` reports the TCP connections
 * accepted and the requests served so far (so the benchmark can prove an open breaker opens no socket).
 * Announces `LISTENING <port>`; exits on SIGTERM.
 */
import { serve } from './serve.js';

const BODY = JSON.stringify({ id: 42, name: 'widget', price: 9.99, tags: ['a', 'b', 'c'], inStock: true });
let connections = 0;
let requests = 0;

const server = serve((req, res) => {
  requests += 1;
  if (req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ connections, requests }));
  } else if (req.url === '/fail') {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end('{"error":"unavailable"}');
  } else {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
    res.end(BODY);
  }
});
// Longer than any pause in the benchmark, so the client never races the server closing an idle socket.
server.keepAliveTimeout = 60_000;
server.on('connection', () => {
  connections += 1;
});
