import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStream } from '../../test/helpers/memory-stream.js';
import { EXIT, main } from '../main.js';
import { createProcessRegistry } from '../process-group.js';
import type { ScenarioDefinition } from '../scenario-definition.js';
import { findPrometheus } from './prometheus-server.js';

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'load-find-prometheus-'));
  await writeFile(join(directory, 'prometheus'), '#!/bin/sh\n');
  await chmod(join(directory, 'prometheus'), 0o755);
  await writeFile(join(directory, 'not-executable'), '');
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('findPrometheus', () => {
  it('finds the first executable prometheus on PATH, and nothing where there is none', () => {
    expect(findPrometheus(['', '/nonexistent', directory].join(delimiter))).toBe(
      join(directory, 'prometheus'),
    );
    expect(findPrometheus(['/nonexistent', join(directory, 'nowhere')].join(delimiter))).toBeUndefined();
  });
});

describe('main with --prometheus and no Prometheus installed', () => {
  it('stops before any scenario with exit 1 and says which package to install', async () => {
    let setups = 0;
    const scenario: ScenarioDefinition = {
      name: 'only',
      title: 'only',
      scriptPath: '/nonexistent.yml',
      thresholds: [],
      async setup() {
        setups += 1;
        throw new Error('must not run');
      },
    };
    const stderr = memoryStream();
    const code = await main(['--prometheus', '--report-dir', join(directory, 'report'), 'only'], {
      scenarios: [scenario],
      registry: createProcessRegistry(),
      signal: new AbortController().signal,
      stdout: memoryStream(),
      stderr,
      redisUrl: 'redis://127.0.0.1:6379',
      findPrometheus: () => undefined,
    });
    expect(code).toBe(EXIT.failed);
    expect(setups).toBe(0);
    expect(stderr.text()).toContain('prometheus not found on PATH');
    expect(stderr.text()).toContain('apt-get install prometheus');
  });
});
