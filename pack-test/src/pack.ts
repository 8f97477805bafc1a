import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeResult, runProcess } from './run-process.js';
import { publishedPackages } from './workspace.js';

/** A tarball made by `pnpm pack`. */
export interface PackedPackage {
  /** Package name, e.g. `@resilience/logging`. */
  readonly name: string;
  readonly version: string;
  /** Absolute path of the `.tgz`. */
  readonly tarball: string;
}

/**
 * Packs every published package with `pnpm pack` (which turns `workspace:^` and `catalog:` into real ranges,
 * as publishing does) into `destination`. Packs what is built: throws, naming the package, if its `dist/` is
 * missing (run `pnpm build` first).
 */
export async function packPublishedPackages(destination: string): Promise<PackedPackage[]> {
  const packed: PackedPackage[] = [];
  for (const { dir, manifest } of publishedPackages()) {
    if (!existsSync(join(dir, 'dist')))
      throw new Error(`${manifest.name} is not built: run pnpm build first`);
    const before = new Set(readdirSync(destination));
    const result = await runProcess('pnpm', ['pack', '--pack-destination', destination], { cwd: dir });
    if (result.code !== 0) throw new Error(describeResult(`pnpm pack of ${manifest.name}`, result));
    const created = readdirSync(destination).filter((file) => file.endsWith('.tgz') && !before.has(file));
    if (created.length !== 1 || created[0] === undefined) {
      throw new Error(`pnpm pack of ${manifest.name} made ${created.length} tarballs: ${created.join(', ')}`);
    }
    packed.push({ name: manifest.name, version: manifest.version, tarball: join(destination, created[0]) });
  }
  return packed;
}
