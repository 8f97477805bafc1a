/**
 * `pnpm bench [area ...]`: runs the benchmark of each area in turn (all of them by default) and prints its report.
 * Each area is a module in this folder exporting `run(): Promise<void>`.
 */
const AREAS = ['logging', 'http-client', 'mock-api', 'mock-api-parts', 'consumer', 'redis-replies'] as const;
type Area = (typeof AREAS)[number];

function isArea(value: string): value is Area {
  return (AREAS as readonly string[]).includes(value);
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2).filter((a) => a !== '--');
  const unknown = requested.filter((a) => !isArea(a));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark area(s): ${unknown.join(', ')}; known: ${AREAS.join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  const areas = requested.length > 0 ? (requested as Area[]) : [...AREAS];
  for (const area of areas) {
    process.stdout.write(`\n=== bench: ${area} ===\n`);
    const mod = (await import(`./${area}.js`)) as { run: () => Promise<void> };
    await mod.run();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
