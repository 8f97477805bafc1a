import { LoadError } from './load-error.js';

/** An app's `dist/server.js` is missing. */
export class AppNotBuiltError extends LoadError {
  readonly app: string;
  readonly path: string;

  constructor(app: string, path: string) {
    super(
      'ERR_LOAD_APP_NOT_BUILT',
      `${app} is not built (${path} is missing): run \`pnpm --filter @resilience/${app} build\` or \`pnpm load\``,
    );
    this.name = 'AppNotBuiltError';
    this.app = app;
    this.path = path;
  }
}

export function isAppNotBuiltError(value: unknown): value is AppNotBuiltError {
  return value instanceof AppNotBuiltError;
}
