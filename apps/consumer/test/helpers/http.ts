import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface TestResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly body: unknown;
}

export interface TestRequest {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  /** Sent as it is when a string, as JSON otherwise (with Content-Type: application/json). */
  readonly body?: unknown;
}

/**
 * One HTTP request on a fresh connection (no agent, no keep-alive, no timers), so tests that fake timers or
 * count connections see exactly what they send.
 */
export function send(url: string, init: TestRequest = {}): Promise<TestResponse> {
  const headers: Record<string, string> = { ...init.headers };
  let payload: string | undefined;
  if (init.body !== undefined) {
    if (typeof init.body === 'string') payload = init.body;
    else {
      payload = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    headers['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: init.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
