import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ServerProcess, startServerProcess } from './helpers/server-process.js';

// Real processes on a machine that may be busy: bounds of minutes, never the default.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
let server: ServerProcess | undefined;
const open: Server[] = [];

afterEach(async () => {
  server?.kill();
  server = undefined;
  await Promise.all(open.splice(0).map((taken) => new Promise((resolve) => taken.close(resolve))));
});

/** The variables of the README's "Environment variables" table, in order. */
function documentedVariables(): string[] {
  const section = README.slice(README.indexOf('## Environment variables'), README.indexOf('## Endpoints'));
  return [...section.matchAll(/^\| `([A-Z_]+)` /gm)].map((match) => match[1] ?? '');
}

describe('mock-api start-up errors people read', () => {
  it('prints every documented variable with its accepted form and default on --help, and exits 0 without starting', async () => {
    server = startServerProcess({ PORT: '0' }, ['--help']);
    expect(await server.exited).toBe(0);
    const out = server.lines.map((line) => String(line.msg)).join('\n');
    expect(out).toMatch(/^Usage: node apps\/mock-api\/dist\/server\.js/);
    const listed = [...out.matchAll(/^ {2}([A-Z_]+) {2,}\S/gm)].map((match) => match[1]);
    expect(documentedVariables()).toHaveLength(18);
    expect(listed).toEqual(documentedVariables());
    expect(out).toMatch(/^ {2}REDIS_URL +Redis for rate-limit counters/m);
    expect(out).toContain('an integer from 0 to 65535; default: 3001');
    expect(server.lines.some((line) => line.msg === 'listening')).toBe(false);
  });

  it('names PORT and HOST, without a stack trace, when the port is in use', async () => {
    const taken = createServer();
    open.push(taken);
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    server = startServerProcess({ PORT: String(port), HOST: '127.0.0.1' });
    expect(await server.exited).toBe(1);
    const fatal = server.lines.filter((line) => line.level === 'fatal');
    expect(fatal).toEqual([
      expect.objectContaining({
        code: 'EADDRINUSE',
        variable: 'PORT',
        msg: `cannot listen on 127.0.0.1:${port}: the port is already in use (another process listens on it): set PORT to a free port (0 picks one), or HOST to another address`,
      }),
    ]);
    expect(JSON.stringify(server.lines)).not.toContain('    at ');
  });

  it('reports every bad variable in one line, the check across variables among them, and exits 1', async () => {
    server = startServerProcess({
      PORT: 'eighty',
      REDIS_URL: 'localhost:6379',
      FAULTS_ENABLED: 'true',
      RATE_LIMIT_ON_STORE_ERROR: 'maybe',
    });
    expect(await server.exited).toBe(1);
    expect(server.lines).toHaveLength(1);
    const [fatal] = server.lines as [{ level?: string; msg?: string; problems?: { variable: string }[] }];
    expect(fatal.level).toBe('fatal');
    expect(fatal.problems?.map((problem) => problem.variable)).toEqual([
      'PORT',
      'RATE_LIMIT_ON_STORE_ERROR',
      'REDIS_URL',
      'ADMIN_TOKEN',
    ]);
    expect(fatal.msg).toContain('write redis://localhost:6379');
    expect(fatal.msg).toContain('required when FAULTS_ENABLED=true');
    expect(JSON.stringify(server.lines)).not.toContain('    at ');
  });

  it('says on its start-up line that every store is in memory when REDIS_URL is unset, and warns of unused Redis settings', async () => {
    server = startServerProcess({ PORT: '0', REDIS_KEY_PREFIX: 'blue:' });
    const started = await server.line((line) => String(line.msg).startsWith('mock-api started'));
    expect(started).toMatchObject({
      stores: 'memory',
      msg: 'mock-api started: rate limits, orders and idempotency records in memory (this process only; set REDIS_URL to share them)',
    });
    expect(started).not.toHaveProperty('redisUrl');
    expect(server.lines.filter((line) => line.level === 'warn')).toEqual([
      expect.objectContaining({
        variable: 'REDIS_KEY_PREFIX',
        msg: 'REDIS_KEY_PREFIX has no effect without REDIS_URL or REDIS_CLUSTER_NODES (every store is in memory): set one of them, or unset REDIS_KEY_PREFIX',
      }),
    ]);
  });
});
