import { setImmediate as nextTurn } from 'node:timers/promises';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryDestination, type MemoryDestination } from '../test/helpers/memory-destination.js';
import { runWithRequestContext } from './context.js';
import { createLogger, type LoggerOptions } from './create-logger.js';

function setup(options: LoggerOptions = {}): {
  destination: MemoryDestination;
  logger: ReturnType<typeof createLogger>;
} {
  const destination = createMemoryDestination();
  return { destination, logger: createLogger({ ...options, destination }) };
}

function countOccurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('createLogger', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('line format', () => {
    it('writes JSON lines with level label, ISO time, service, pid, hostname and msg', () => {
      const { destination, logger } = setup({ service: 'orders' });
      logger.info({ orderId: 7 }, 'order placed');
      const [line] = destination.lines();
      expect(line).toMatchObject({ level: 'info', service: 'orders', pid: process.pid, orderId: 7 });
      expect(line?.msg).toBe('order placed');
      expect(typeof line?.hostname).toBe('string');
      expect(line?.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(destination.raw[0]?.endsWith('\n')).toBe(true);
    });

    it('writes synchronously to stdout by default, so no line is lost on exit', () => {
      const stream: unknown = Reflect.get(createLogger(), pino.symbols.streamSym);
      expect(stream).toMatchObject({ fd: 1, sync: true });
    });

    it('uses service "app" and level "info" by default', () => {
      const { destination, logger } = setup();
      logger.debug('hidden');
      logger.info('shown');
      expect(destination.lines()).toEqual([expect.objectContaining({ msg: 'shown', service: 'app' })]);
    });

    it('honours the level option', () => {
      const { destination, logger } = setup({ level: 'warn' });
      logger.info('hidden');
      logger.warn('shown');
      expect(destination.lines().map((l) => l.msg)).toEqual(['shown']);
      expect(logger.level).toBe('warn');
    });

    it('adds base fields, keeping service from its own option', () => {
      const { destination, logger } = setup({ service: 'svc', base: { region: 'eu-1', service: 'ignored' } });
      logger.info('x');
      expect(destination.lines()[0]).toMatchObject({ region: 'eu-1', service: 'svc' });
    });

    it('serializes errors under err with type, message and stack', () => {
      const { destination, logger } = setup();
      logger.error({ err: new RangeError('boom') }, 'failed');
      expect(destination.lines()[0]?.err).toMatchObject({ type: 'RangeError', message: 'boom' });
    });
  });

  describe('redaction', () => {
    const headers = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'];
    const placements: [
      string,
      (key: string) => Record<string, unknown>,
      (line: Record<string, unknown>, key: string) => unknown,
    ][] = [
      ['at the top level', (k) => ({ [k]: 'SECRET' }), (l, k) => l[k]],
      ['in headers', (k) => ({ headers: { [k]: 'SECRET' } }), (l, k) => pick(l, 'headers', k)],
      [
        'in req.headers',
        (k) => ({ req: { headers: { [k]: 'SECRET' } } }),
        (l, k) => pick(l, 'req', 'headers', k),
      ],
      [
        'in res.headers',
        (k) => ({ res: { headers: { [k]: 'SECRET' } } }),
        (l, k) => pick(l, 'res', 'headers', k),
      ],
      [
        'three levels down (err.config.headers)',
        (k) => ({ err: { config: { headers: { [k]: 'SECRET' } } } }),
        (l, k) => pick(l, 'err', 'config', 'headers', k),
      ],
    ];

    function pick(value: unknown, ...keys: string[]): unknown {
      let current = value;
      for (const key of keys) {
        if (typeof current !== 'object' || current === null) return undefined;
        current = Reflect.get(current, key);
      }
      return current;
    }

    for (const header of headers) {
      for (const [where, build, read] of placements) {
        it(`redacts the ${header} header ${where}`, () => {
          const { destination, logger } = setup();
          logger.info(build(header), 'x');
          expect(read(destination.lines()[0] ?? {}, header)).toBe('[Redacted]');
          expect(destination.raw[0]).not.toContain('SECRET');
        });
      }
    }

    it.each(['Authorization', 'Proxy-Authorization', 'Cookie', 'Set-Cookie', 'X-Api-Key', 'X-API-Key'])(
      'redacts the capitalised %s header (axios/fetch spelling)',
      (header) => {
        const { destination, logger } = setup();
        logger.info({ config: { headers: { [header]: 'SECRET' } } }, 'x');
        expect(destination.raw[0]).not.toContain('SECRET');
      },
    );

    for (const field of ['password', 'token', 'secret', 'apiKey']) {
      it(`redacts the ${field} field at the top level and nested`, () => {
        const { destination, logger } = setup();
        logger.info({ [field]: 'SECRET', user: { [field]: 'SECRET', profile: { [field]: 'SECRET' } } }, 'x');
        const line = destination.lines()[0] ?? {};
        expect(line[field]).toBe('[Redacted]');
        expect(pick(line, 'user', field)).toBe('[Redacted]');
        expect(pick(line, 'user', 'profile', field)).toBe('[Redacted]');
        expect(destination.raw[0]).not.toContain('SECRET');
      });
    }

    it('redacts extra field names given in redactFields, wherever they appear', () => {
      const { destination, logger } = setup({ redactFields: ['ssn'] });
      logger.info({ ssn: 'SECRET', patient: { ssn: 'SECRET' }, password: 'SECRET' }, 'x');
      expect(destination.lines()[0]).toMatchObject({ ssn: '[Redacted]', patient: { ssn: '[Redacted]' } });
      expect(destination.raw[0]).not.toContain('SECRET');
    });

    it('redacts secrets deeper than three levels, in child bindings and inside errors', () => {
      const { destination, logger } = setup();
      const err = Object.assign(new Error('upstream said no'), {
        config: { headers: { Authorization: 'Bearer SECRET' } },
      });
      logger
        .child({ session: { cookie: 'SECRET' } })
        .error({ err, a: { b: { c: { d: { token: 'SECRET' } } } } }, 'x');
      const line = destination.lines()[0] ?? {};
      expect(pick(line, 'err', 'config', 'headers', 'Authorization')).toBe('[Redacted]');
      expect(pick(line, 'err', 'message')).toBe('upstream said no');
      expect(pick(line, 'session', 'cookie')).toBe('[Redacted]');
      expect(pick(line, 'a', 'b', 'c', 'd', 'token')).toBe('[Redacted]');
      expect(destination.raw[0]).not.toContain('SECRET');
    });

    it('redacts set-cookie arrays and object-valued secrets whole', () => {
      const { destination, logger } = setup();
      logger.info(
        { res: { headers: { 'set-cookie': ['a=SECRET', 'b=SECRET'] } }, secret: { key: 'SECRET' } },
        'x',
      );
      expect(destination.lines()[0]).toMatchObject({
        res: { headers: { 'set-cookie': '[Redacted]' } },
        secret: '[Redacted]',
      });
    });

    it('redacts extra paths given in redact, on top of the defaults', () => {
      const { destination, logger } = setup({ redact: ['card.number'] });
      logger.info({ card: { number: 'SECRET', brand: 'visa' }, token: 'SECRET' }, 'x');
      expect(destination.lines()[0]).toMatchObject({ card: { number: '[Redacted]', brand: 'visa' } });
      expect(destination.raw[0]).not.toContain('SECRET');
    });

    it('keeps other fields and does not change the logged object', () => {
      const { destination, logger } = setup();
      const logged = { headers: { authorization: 'Bearer abc', accept: 'application/json' } };
      logger.info(logged, 'x');
      expect(destination.lines()[0]).toMatchObject({ headers: { accept: 'application/json' } });
      expect(logged.headers.authorization).toBe('Bearer abc');
    });
  });

  describe('requestId from the request context', () => {
    it('puts no requestId on lines outside a request', () => {
      const { destination, logger } = setup();
      logger.info('outside');
      logger.child({ component: 'db' }).info('outside too');
      expect(destination.lines().every((l) => !('requestId' in l))).toBe(true);
      expect(destination.lines()).toHaveLength(2);
    });

    it('adds requestId to lines of the logger and of its children inside a request', () => {
      const { destination, logger } = setup();
      const child = logger.child({ component: 'db' });
      runWithRequestContext('req-0000000000aa', () => {
        logger.info('root');
        child.info('child');
        child.child({ table: 'orders' }).warn('grandchild');
      });
      expect(destination.lines().map((l) => l.requestId)).toEqual(Array(3).fill('req-0000000000aa'));
    });

    it('keeps requestId across await, promise chains, timers and awaited fake-clock delays', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const { destination, logger } = setup();
      const done = runWithRequestContext('req-0000000000bb', async () => {
        await nextTurn();
        logger.info('after await');
        await Promise.resolve().then(() => logger.info('in a then'));
        await new Promise((resolve) => setTimeout(resolve, 250));
        logger.info('after a 250 ms timer');
        await new Promise<void>((resolve) =>
          setImmediate(() => {
            logger.info('in an immediate');
            resolve();
          }),
        );
      });
      await vi.advanceTimersByTimeAsync(250);
      await done;
      logger.info('after the request');
      const lines = destination.lines();
      expect(lines.slice(0, 4).map((l) => l.requestId)).toEqual(Array(4).fill('req-0000000000bb'));
      expect(lines[4]).not.toHaveProperty('requestId');
      expect(lines).toHaveLength(5);
    });

    it('works for loggers created inside a request and used outside, and the other way round', () => {
      const { destination, logger } = setup();
      const createdInside = runWithRequestContext('req-0000000000cc', () => logger.child({ part: 'inner' }));
      createdInside.info('used outside');
      runWithRequestContext('req-0000000000dd', () => createdInside.info('used inside'));
      expect(destination.lines().map((l) => l.requestId)).toEqual([undefined, 'req-0000000000dd']);
    });

    it('writes requestId once when a child logger already binds it', () => {
      const { destination, logger } = setup();
      const bound = logger.child({ requestId: 'req-0000000000ee' });
      runWithRequestContext('req-0000000000ee', () => {
        bound.info('bound child');
        bound.child({ step: 1 }).info('grandchild of a bound child');
        logger.info({ requestId: 'req-0000000000ee' }, 'explicit field');
      });
      for (const raw of destination.raw) expect(countOccurrences(raw, '"requestId"')).toBe(1);
      expect(destination.lines().map((l) => l.requestId)).toEqual(Array(3).fill('req-0000000000ee'));
    });

    it('keeps a child bound to one request id on that id inside another request', () => {
      const { destination, logger } = setup();
      const bound = logger.child({ requestId: 'req-0000000000ff' });
      runWithRequestContext('req-000000000011', () => bound.info('x'));
      expect(destination.lines()[0]?.requestId).toBe('req-0000000000ff');
      expect(countOccurrences(destination.raw[0] ?? '', '"requestId"')).toBe(1);
    });
  });

  describe('options', () => {
    it.each<[string, LoggerOptions, RegExp]>([
      ['an unknown level', { level: 'loud' as never }, /level must be one of/],
      ['an empty service', { service: '' }, /service must be a non-empty string/],
      ['a destination without write', { destination: {} as never }, /destination must have a write/],
      ['redact that is not an array', { redact: 'password' as never }, /redact must be an array/],
      ['redactFields with an empty name', { redactFields: [''] }, /redactFields must be an array/],
      ['base that is not an object', { base: [] as never }, /base must be a plain object/],
    ])('throws a TypeError naming the option for %s', (_name, options, message) => {
      expect(() => createLogger(options)).toThrow(TypeError);
      expect(() => createLogger(options)).toThrow(message);
    });

    it('does not mutate the options object', () => {
      const destination = createMemoryDestination();
      const options = {
        level: 'debug',
        service: 'svc',
        redact: ['a.b'],
        redactFields: ['ssn'],
        base: { region: 'eu' },
        destination,
      } as const;
      const before = structuredClone({ ...options, destination: undefined });
      createLogger(options).info('x');
      expect({ ...options, destination: undefined }).toEqual(before);
      expect(options.destination).toBe(destination);
    });
  });
});
