import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the test upstream does with one request. */
export type UpstreamAnswer = number | 'hang';

/** A local upstream on 127.0.0.1, port 0: answers from a script, then with `otherwise`. */
export interface TestUpstream {
  readonly url: string;
  /** The status of every answer sent so far, in order ('hang' for requests left open). */
  readonly answered: UpstreamAnswer[];
  /** Answers for the next requests, in order. */
  script(...answers: UpstreamAnswer[]): void;
  /** The answer once the script is used up. @default 200 */
  otherwise: UpstreamAnswer;
  /** Resolves when the upstream has received `count` requests in total. */
  requests(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startUpstream(): Promise<TestUpstream> {
  const queue: UpstreamAnswer[] = [];
  const answered: UpstreamAnswer[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const held = new Set<ServerResponse>();
  const state = { otherwise: 200 as UpstreamAnswer };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const answer = queue.shift() ?? state.otherwise;
    answered.push(answer);
    for (const waiter of waiters.filter((w) => answered.length >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (answer === 'hang') {
      held.add(res);
      return;
    }
    res.writeHead(answer, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer < 400 ? { items: [{ id: 1 }] } : { error: 'upstream_failure' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/items`,
    answered,
    script: (...answers) => queue.push(...answers),
    get otherwise() {
      return state.otherwise;
    },
    set otherwise(answer: UpstreamAnswer) {
      state.otherwise = answer;
    },
    requests(count) {
      if (answered.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
