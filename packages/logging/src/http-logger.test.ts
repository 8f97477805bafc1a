import { type IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createMemoryDestination } from '../test/helpers/memory-destination.js';
import { getRequestId } from './context.js';
import { createLogger } from './create-logger.js';
import { type HttpLoggerOptions, httpLogger } from './http-logger.js';

const GENERATED_ID = /^req-[0-9a-f]{12}$/;

/** A request/response pair that never touches the network (Node's parser would refuse some of these headers). */
function exchange(
  headers: IncomingHttpHeaders,
  url = '/orders',
): { req: IncomingMessage; res: ServerResponse } {
  const req = new IncomingMessage(new Socket());
  req.headers = headers;
  req.method = 'GET';
  req.url = url;
  return { req, res: new ServerResponse(req) };
}

function run(headers: IncomingHttpHeaders, options: HttpLoggerOptions = {}) {
  const destination = createMemoryDestination();
  const logger = createLogger({ destination, level: 'debug' });
  const { req, res } = exchange(headers);
  let idInNext: string | undefined;
  let nextCalls = 0;
  httpLogger({ logger, ...options })(req, res, () => {
    nextCalls += 1;
    idInNext = getRequestId();
  });
  return { req, res, destination, idInNext, nextCalls };
}

describe('httpLogger (middleware unit)', () => {
  it('reuses a valid inbound id for req.id, the response header and the request context', () => {
    const { req, res, idInNext, nextCalls } = run({ 'x-request-id': 'upstream-42' });
    expect(req.id).toBe('upstream-42');
    expect(res.getHeader('x-request-id')).toBe('upstream-42');
    expect(idInNext).toBe('upstream-42');
    expect(nextCalls).toBe(1);
  });

  it('generates an id when none arrives', () => {
    const { req, res, destination } = run({});
    expect(req.id).toMatch(GENERATED_ID);
    expect(res.getHeader('x-request-id')).toBe(req.id);
    expect(destination.lines()).toEqual([]);
  });

  it.each([
    ['CR/LF', 'a\r\nb', 'contains characters outside'],
    ['129 characters', 'x'.repeat(129), 'longer than 128 characters (129)'],
    ['unicode', 'req-\u65e5\u672c', 'contains characters outside'],
    ['empty', '', 'empty'],
    ['spaces', 'req 1 2', 'contains characters outside'],
  ])(
    'replaces a hostile inbound id (%s), never echoes it, and logs why at debug',
    (_name, hostile, reason) => {
      const { req, res, destination, idInNext } = run({ 'x-request-id': hostile });
      expect(req.id).toMatch(GENERATED_ID);
      expect(res.getHeader('x-request-id')).toBe(req.id);
      expect(idInNext).toBe(req.id);
      const [line] = destination.lines();
      expect(line).toMatchObject({
        level: 'debug',
        requestId: req.id,
        msg: 'inbound request id rejected and replaced',
      });
      expect(String(line?.reason)).toContain(reason);
      const escaped = JSON.stringify(hostile).slice(1, -1);
      for (const raw of destination.raw) expect(escaped === '' || !raw.includes(escaped)).toBe(true);
    },
  );

  it('replaces an id header sent twice', () => {
    const { req, destination } = run({ 'x-request-id': ['a', 'b'] as never });
    expect(req.id).toMatch(GENERATED_ID);
    expect(destination.lines()[0]?.reason).toBe('header sent more than once');
  });

  it('sets req.log to a child logger whose lines carry requestId once', () => {
    const { req, destination } = run({ 'x-request-id': 'abc-1' });
    req.log.info('from req.log');
    expect(destination.lines()[0]).toMatchObject({ requestId: 'abc-1', msg: 'from req.log' });
    expect(destination.raw[0]?.split('"requestId"')).toHaveLength(2);
  });

  it('uses genReqId for new ids', () => {
    let calls = 0;
    const { req } = run({}, { genReqId: () => `custom-${++calls}` });
    expect(req.id).toBe('custom-1');
  });

  it('replaces an invalid id returned by genReqId and logs an error', () => {
    const { req, destination } = run({}, { genReqId: () => 'not valid' });
    expect(req.id).toMatch(GENERATED_ID);
    expect(destination.lines()[0]).toMatchObject({ level: 'error', requestId: req.id });
  });

  it('reads and writes the header named by headerName', () => {
    const { req, res } = run({ 'x-correlation-id': 'corr-9' }, { headerName: 'X-Correlation-ID' });
    expect(req.id).toBe('corr-9');
    expect(res.getHeader('x-correlation-id')).toBe('corr-9');
    expect(res.hasHeader('x-request-id')).toBe(false);
  });

  it.each<[string, HttpLoggerOptions, RegExp]>([
    ['logger without child()', { logger: {} as never }, /logger must be a pino logger/],
    ['quietPaths not starting with /', { quietPaths: ['healthz'] }, /quietPaths must be an array/],
    ['genReqId not a function', { genReqId: 'x' as never }, /genReqId must be a function/],
    ['logHeaders not a boolean', { logHeaders: 'yes' as never }, /logHeaders must be a boolean/],
    ['logQueryString not a boolean', { logQueryString: 1 as never }, /logQueryString must be a boolean/],
    [
      'headerName with a space',
      { headerName: 'x request id' },
      /headerName must be a valid HTTP header name/,
    ],
  ])('throws a TypeError naming the option for %s', (_name, options, message) => {
    expect(() => httpLogger(options)).toThrow(TypeError);
    expect(() => httpLogger(options)).toThrow(message);
  });

  it('does not mutate the options object', () => {
    const logger = createLogger({ destination: createMemoryDestination() });
    const quietPaths = ['/healthz'];
    const options = { logger, quietPaths, logHeaders: true, logQueryString: false, headerName: 'X-Trace' };
    const snapshot = { ...options, quietPaths: [...quietPaths] };
    httpLogger(options);
    expect(options).toEqual(snapshot);
    expect(options.quietPaths).toBe(quietPaths);
  });
});
