import { describe, expect, it, vi } from 'vitest';
import { createProcessRegistry } from '../src/process-group.js';

// Real processes (or sockets) on a machine that may be busy: bounds of minutes, never the 20 s default.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A child that starts a grandchild (`sleep`), prints the grandchild's pid, and ignores SIGTERM if asked. */
function parentSource(ignoreTerm: boolean): string {
  return `
const { spawn } = require('node:child_process');
const grandchild = spawn('sleep', ['30'], { stdio: 'ignore' });
${ignoreTerm ? "process.on('SIGTERM', () => {});" : ''}
process.stdout.write(String(grandchild.pid) + '\\n');
setInterval(() => {}, 1000);
`;
}

async function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.includes('\n')) return text.split('\n')[0] ?? '';
  }
  return text;
}

describe('createProcessRegistry', () => {
  it('stops a child and the processes it started (the whole group)', async () => {
    const registry = createProcessRegistry();
    const parent = registry.spawn({
      name: 'parent',
      command: process.execPath,
      args: ['-e', parentSource(false)],
      env: { PATH: process.env.PATH ?? '' },
    });
    const grandchildPid = Number(await firstLine(parent.child.stdout as NodeJS.ReadableStream));
    expect(alive(grandchildPid)).toBe(true);

    await registry.stopAll();

    expect(parent.hasExited()).toBe(true);
    // The grandchild was in the same process group: it got the signal too.
    await expect.poll(() => alive(grandchildPid), { timeout: 60_000 }).toBe(false);
    expect(registry.running()).toEqual([]);
  });

  it('kills a child that ignores SIGTERM after the grace period', async () => {
    const registry = createProcessRegistry();
    const stubborn = registry.spawn({
      name: 'stubborn',
      command: process.execPath,
      args: ['-e', parentSource(true)],
      env: { PATH: process.env.PATH ?? '' },
    });
    const grandchildPid = Number(await firstLine(stubborn.child.stdout as NodeJS.ReadableStream));

    await registry.stopAll(200);

    expect(await stubborn.exited).toBeNull();
    await expect.poll(() => alive(grandchildPid), { timeout: 60_000 }).toBe(false);
  });
});
