import { connect } from 'node:net';

/**
 * Sends `PING` to the Redis at `url` over a plain socket (no client library needed) and resolves with whether
 * it answered `+PONG` within `timeoutMs`. Authentication is not attempted: a password-protected Redis
 * answers `-NOAUTH`, which still proves it is reachable.
 */
export function pingRedis(url: string, timeoutMs = 1_000): Promise<boolean> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.resolve(false);
  }
  const host = parsed.hostname || '127.0.0.1';
  const port = Number(parsed.port || 6379);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let answer = '';
    const finish = (reachable: boolean) => {
      socket.destroy();
      resolve(reachable);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
      if (answer.includes('\r\n')) finish(answer.startsWith('+PONG') || answer.startsWith('-NOAUTH'));
    });
  });
}
