import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, type TestApp } from './helpers/build-app.js';

let current: TestApp | undefined;

afterEach(async () => {
  await current?.close();
  current = undefined;
});

describe('GET /readyz', () => {
  it('answers 200 ready until beginShutdown(), then 503 not_ready with shuttingDown: true', async () => {
    current = buildApp();
    const target = current.mockApi.app;
    const before = await request(target).get('/readyz');
    expect(before.status).toBe(200);
    expect(before.body).toEqual({ status: 'ready', checks: { redis: 'disabled', shuttingDown: false } });

    current.mockApi.beginShutdown();
    const during = await request(target).get('/readyz');
    expect(during.status).toBe(503);
    expect(during.headers['content-type']).toMatch(/^application\/json/);
    expect(during.body).toEqual({ status: 'not_ready', checks: { redis: 'disabled', shuttingDown: true } });
    expect(current.mockApi.isReady()).toBe(false);
    // Liveness is not readiness: the process is still alive while it drains.
    expect((await request(target).get('/healthz')).status).toBe(200);
  });

  it('answers 503 while the injected shutdown signal (the graceful-shutdown handle) says so', async () => {
    let shuttingDown = false;
    current = buildApp({}, { isShuttingDown: () => shuttingDown });
    expect((await request(current.mockApi.app).get('/readyz')).status).toBe(200);
    shuttingDown = true;
    const during = await request(current.mockApi.app).get('/readyz');
    expect(during.status).toBe(503);
    expect(during.body).toEqual({ status: 'not_ready', checks: { redis: 'disabled', shuttingDown: true } });
  });
});
