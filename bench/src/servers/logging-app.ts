/**
 * The app every logging benchmark server serves: Express 5 answering one small JSON document, with
 * optional middleware in front. Logs go to /dev/null through a real file descriptor, so the cost of
 * formatting and writing each line is counted, and nothing piles up in memory.
 */
import { openSync, writeSync } from 'node:fs';
import type { RequestHandler } from 'express';
import express, { type Express } from 'express';

export interface LineDestination {
  write(line: string): void;
}

/** Synchronous writes to /dev/null: what the default stdout destination does, minus the terminal. */
export function devNullDestination(): LineDestination {
  const fd = openSync('/dev/null', 'w');
  return { write: (line: string) => void writeSync(fd, line) };
}

const BODY = { id: 42, name: 'widget', price: 9.99, tags: ['a', 'b', 'c'], inStock: true };

export function buildApp(middleware: RequestHandler[]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  for (const m of middleware) app.use(m);
  app.get('/item', (_req, res) => {
    res.json(BODY);
  });
  return app;
}
