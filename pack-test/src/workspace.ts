import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root (this package lives one level below it). */
export const WORKSPACE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The fields of a package.json this suite reads. */
export interface PackageManifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly [field: string]: unknown;
}

/** A published package: a folder of packages/ with a package.json. */
export interface PublishedPackage {
  /** Folder name, e.g. `http-client`. */
  readonly folder: string;
  /** Absolute path of the folder. */
  readonly dir: string;
  readonly manifest: PackageManifest;
}

/**
 * Every folder of packages/ whose package.json is not `private`, sorted by folder name: the packages that are
 * published (fault-proxy, a test tool of this repository, is private and left out).
 */
export function publishedPackages(): PublishedPackage[] {
  const root = join(WORKSPACE_ROOT, 'packages');
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, 'package.json')))
    .map((entry) => entry.name)
    .sort()
    .map((folder) => {
      const dir = join(root, folder);
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;
      return { folder, dir, manifest };
    })
    .filter(({ manifest }) => manifest.private !== true);
}

/**
 * The default catalog of pnpm-workspace.yaml as `name -> specifier`. A small reader for the one shape used
 * there (`catalog:` followed by two-space-indented `name: version` lines), so the suite needs no YAML parser.
 */
export function readCatalog(): Map<string, string> {
  const text = readFileSync(join(WORKSPACE_ROOT, 'pnpm-workspace.yaml'), 'utf8');
  const catalog = new Map<string, string>();
  let inCatalog = false;
  for (const line of text.split('\n')) {
    if (/^catalog:\s*$/.test(line)) {
      inCatalog = true;
      continue;
    }
    if (!inCatalog) continue;
    if (/^\S/.test(line)) break;
    const match = /^ {2}("?)([^":]+)\1:\s*(\S+)\s*$/.exec(line);
    if (match?.[2] !== undefined && match[3] !== undefined) catalog.set(match[2], match[3]);
  }
  return catalog;
}
