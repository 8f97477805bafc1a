/**
 * `pnpm load` entry point: runs the scenarios and exits non-zero when any misses a threshold. Every process
 * it starts is stopped on the way out, including after Ctrl-C (first signal: stop cleanly and write the
 * report so far; second signal: kill everything at once).
 */
import { EXIT, main } from './main.js';
import { createProcessRegistry } from './process-group.js';
import { SCENARIOS } from './scenarios/index.js';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

const registry = createProcessRegistry();
const controller = new AbortController();
let signals = 0;

function onSignal(signal: NodeJS.Signals): void {
  signals += 1;
  if (signals === 1) {
    process.stderr.write(`\n${signal}: stopping every started process (again to kill at once)\n`);
    controller.abort(new Error(`interrupted by ${signal}`));
    return;
  }
  registry.killAllNow();
  process.exit(EXIT.interrupted);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
// Last resort: whatever ends this process, no child group outlives it.
process.on('exit', () => registry.killAllNow());

// Always, whoever starts the runner: Artillery must never wait on telemetry.
process.env.ARTILLERY_DISABLE_TELEMETRY = 'true';

main(process.argv.slice(2), {
  scenarios: SCENARIOS,
  registry,
  signal: controller.signal,
  stdout: process.stdout,
  stderr: process.stderr,
  redisUrl: process.env.REDIS_URL ?? DEFAULT_REDIS_URL,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `load runner failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT.failed;
  },
);
