import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the consumer reaches resilience through the client only', () => {
  it('imports nothing from @resilience/circuit-breaker, in code or tests', () => {
    const offenders = [...sources(join(root, 'src')), ...sources(join(root, 'test'))].filter((file) =>
      /from '@resilience\/circuit-breaker'/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('imports from no @resilience package but http-client, logging, http-server and its own mock-api', () => {
    const allowed = new Set(['http-client', 'logging', 'http-server', 'mock-api']);
    const offenders = [...sources(join(root, 'src')), ...sources(join(root, 'test'))].flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from '@resilience\/([a-z-]+)/g)]
        .map((match) => match[1] ?? '')
        .filter((name) => !allowed.has(name))
        .map((name) => `${file}: @resilience/${name}`),
    );
    expect(offenders).toEqual([]);
  });

  it('does not depend on @resilience/circuit-breaker', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, object>;
    const deps = { ...pkg.dependencies, ...pkg.devDependencies };
    expect(Object.keys(deps)).not.toContain('@resilience/circuit-breaker');
    expect(Object.keys(deps)).toContain('@resilience/http-client');
  });
});
