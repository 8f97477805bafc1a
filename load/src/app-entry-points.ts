import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppNotBuiltError } from './errors/app-not-built-error.js';

/** The apps the scenarios start. */
export type AppName = 'mock-api' | 'consumer';

/** Root of the `@resilience/load` package (this file is in `src/` or `dist/`). */
export const LOAD_PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Directory of the scenario YAML files. */
export const SCENARIOS_DIR = join(LOAD_PACKAGE_ROOT, 'scenarios');

/**
 * Path of an app's built server script, `dist/server.js`, through the workspace link pnpm made in this
 * package's node_modules (the apps export only their library entry, so the script is not resolvable by name).
 */
export function appServerScript(app: AppName, packageRoot = LOAD_PACKAGE_ROOT): string {
  const linked = join(packageRoot, 'node_modules', '@resilience', app);
  const root = existsSync(linked) ? realpathSync(linked) : linked;
  const script = join(root, 'dist', 'server.js');
  if (!existsSync(script)) throw new AppNotBuiltError(app, script);
  return script;
}
