import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MockApiDeps } from '../src/app.js';
import { buildApp, FAULTS_ENV, TEST_ADMIN_TOKEN, type TestApp } from './helpers/build-app.js';

const KEY = 'faults-test-key';
const ENV = { ...FAULTS_ENV, API_KEYS: `${KEY}:1000:10000` };
const AUTH = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
let current: TestApp | undefined;
let server: Server | undefined;

function app(env: Record<string, string> = ENV, deps: MockApiDeps = {}): TestApp['mockApi']['app'] {
  current = buildApp(env, deps);
  return current.mockApi.app;
}

afterEach(async () => {
  vi.useRealTimers();
  await current?.close();
  current = undefined;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

function setFaults(target: TestApp['mockApi']['app'], profile: unknown) {
  return request(target)
    .put('/__admin/faults')
    .set(AUTH)
    .send(profile as object);
}

function api(target: TestApp['mockApi']['app'] | string, path = '/api/items') {
  return request(target).get(path).set('X-API-Key', KEY);
}

async function statuses(target: TestApp['mockApi']['app'], count: number, path = '/api/items') {
  const result: number[] = [];
  for (let i = 0; i < count; i += 1) result.push((await api(target, path)).status);
  return result;
}

/** Listens on an ephemeral port: for faults that act on the connection itself. */
async function listen(target: TestApp['mockApi']['app']): Promise<string> {
  const listening = target.listen(0, '127.0.0.1');
  server = listening;
  await new Promise<void>((resolve) => listening.once('listening', () => resolve()));
  return `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
}

function faultLines(logs: TestApp['logs']) {
  return logs.filter((line) => line.msg === 'fault injected');
}

describe('the fault admin API', () => {
  it('is 404 when faults are disabled', async () => {
    const target = app({});
    const response = await request(target).get('/__admin/faults').set(AUTH);
    expect(response.status).toBe(404);
    expect(response.body.error).toBe('not_found');
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { Authorization: 'Bearer not-the-token-at-all' }],
    ['another scheme', { Authorization: `Basic ${TEST_ADMIN_TOKEN}` }],
  ])('answers 401 JSON to %s', async (_name, headers) => {
    const target = app();
    for (const method of ['get', 'put', 'delete'] as const) {
      const response = await request(target)[method]('/__admin/faults').set(headers);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(response.body.error).toBe('unauthorized');
    }
  });

  it('shows, replaces and deletes the profile', async () => {
    const target = app();
    expect((await request(target).get('/__admin/faults').set(AUTH)).body.profile).toBeNull();
    const put = await setFaults(target, { errorRate: 0.5, latencyMs: { min: 1, max: 5 }, seed: 7 });
    expect(put.status).toBe(200);
    expect(put.body.profile).toEqual({
      errorRate: 0.5,
      errorStatus: 503,
      latencyMs: { min: 1, max: 5 },
      latencyRate: 1,
      hangRate: 0,
      resetRate: 0,
      down: false,
      failNext: 0,
      when: 'before',
      seed: 7,
    });
    expect((await request(target).get('/__admin/faults').set(AUTH)).body.profile).toEqual(put.body.profile);
    expect((await request(target).delete('/__admin/faults').set(AUTH)).status).toBe(204);
    expect((await request(target).get('/__admin/faults').set(AUTH)).body.profile).toBeNull();
  });

  it.each([
    [{ errorRate: 1.5 }, 'errorRate must be a number from 0 to 1'],
    [{ errorRate: 0.1, errorStatus: 418 }, 'errorStatus must be one of 500, 502, 503, 504'],
    [{ latencyMs: -1 }, 'latencyMs must be'],
    [{ latencyMs: { min: 10, max: 5 } }, 'latencyMs must be'],
    [{ latencyRate: 0.5 }, 'latencyRate needs latencyMs'],
    [{ failNext: 1.5 }, 'failNext must be an integer'],
    [{ when: 'during' }, 'when must be "before" or "after"'],
    [{ routes: '/api' }, 'routes must be a list'],
    [{ routes: ['api'] }, 'must have a path starting with /'],
    [{ seed: -1 }, 'seed must be an integer'],
    [{ errorrate: 0.5 }, 'unknown field "errorrate"'],
    [[1, 2], 'the profile must be a JSON object'],
  ])('refuses %j with 400 and the reason', async (profile, reason) => {
    const target = app();
    const response = await setFaults(target, profile);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_fault_profile');
    expect(response.body.message).toContain(reason);
    expect((await request(target).get('/__admin/faults').set(AUTH)).body.profile).toBeNull();
  });

  it('refuses a body that is not JSON with 415', async () => {
    const response = await request(app()).put('/__admin/faults').set(AUTH).type('text').send('down');
    expect(response.status).toBe(415);
  });
});

describe('injected faults', () => {
  it('errorRate 1 answers errorStatus with a JSON body, counted and logged', async () => {
    const target = app();
    await setFaults(target, { errorRate: 1, errorStatus: 502 });
    const response = await api(target);
    expect(response.status).toBe(502);
    expect(response.body).toEqual({
      error: 'injected_fault',
      message: expect.any(String),
      requestId: response.headers['x-request-id'],
      fault: 'error',
    });
    expect(faultLines(current?.logs ?? [])).toEqual([
      expect.objectContaining({ fault: 'error', status: 502, requestId: response.headers['x-request-id'] }),
    ]);
    const metrics = await request(target).get('/metrics');
    expect(metrics.text).toMatch(/^faults_injected_total\{kind="error"\} 1$/m);
  });

  it('failNext fails exactly the next N requests and counts down in GET', async () => {
    const target = app();
    await setFaults(target, { failNext: 2 });
    expect(await statuses(target, 1)).toEqual([503]);
    expect((await request(target).get('/__admin/faults').set(AUTH)).body.profile.failNext).toBe(1);
    expect(await statuses(target, 3)).toEqual([503, 200, 200]);
    const state = await request(target).get('/__admin/faults').set(AUTH);
    expect(state.body.profile.failNext).toBe(0);
    expect(state.body.stats).toEqual({
      apiRequests: 4,
      injected: { error: 0, fail_next: 2, down: 0, latency: 0, hang: 0, reset: 0 },
    });
  });

  it('down answers 503 to every /api request but leaves ops endpoints alone', async () => {
    const target = app();
    await setFaults(target, { down: true, errorStatus: 500 });
    expect(await statuses(target, 3)).toEqual([503, 503, 503]);
    expect((await request(target).get('/healthz')).status).toBe(200);
    expect((await request(target).get('/readyz')).status).toBe(200);
    await request(target).delete('/__admin/faults').set(AUTH);
    expect(await statuses(target, 1)).toEqual([200]);
  });

  it('is applied after rate limiting: a refused request gets 429, not the fault', async () => {
    const target = app({ ...FAULTS_ENV, RATE_LIMIT_PER_MINUTE: '2' });
    await setFaults(target, { down: true });
    const codes: number[] = [];
    for (let i = 0; i < 3; i += 1) codes.push((await request(target).get('/api/items')).status);
    expect(codes).toEqual([503, 503, 429]);
  });

  it('routes limits faults to matching method and path prefix', async () => {
    const target = app();
    await setFaults(target, { errorRate: 1, routes: ['POST /api/orders', '/api/items/:id'] });
    expect((await api(target, '/api/items')).status).toBe(200);
    expect((await api(target, '/api/items/3')).status).toBe(503);
    expect((await api(target, '/api/orders')).status).toBe(200);
    const posted = await request(target)
      .post('/api/orders')
      .set('X-API-Key', KEY)
      .send({ itemId: '1', quantity: 1 });
    expect(posted.status).toBe(503);
  });

  it('gives the same faults for the same seed', async () => {
    const profile = { errorRate: 0.5, seed: 1234 };
    const target = app();
    await setFaults(target, profile);
    const first = await statuses(target, 16);
    await setFaults(target, profile);
    const second = await statuses(target, 16);
    expect(second).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(200);
    await setFaults(target, { ...profile, seed: 99 });
    expect(await statuses(target, 16)).not.toEqual(first);
  });

  it('uses the injected random source when the profile has no seed', async () => {
    const draws = [0.9, 0.1, 0.9];
    const target = app(ENV, { random: () => draws.shift() ?? 0.9 });
    await setFaults(target, { errorRate: 0.5 });
    expect(await statuses(target, 3)).toEqual([200, 503, 200]);
  });

  it('latency delays the answer by latencyMs for the share latencyRate', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const target = app();
    await setFaults(target, { latencyMs: 200, latencyRate: 1 });
    let answered = false;
    const pending = api(target).then((response) => {
      answered = true;
      return response;
    });
    await current?.logged((line) => line.msg === 'fault injected');
    await vi.advanceTimersByTimeAsync(199);
    expect(answered).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await pending).status).toBe(200);
    expect(faultLines(current?.logs ?? [])[0]).toMatchObject({ fault: 'latency', latencyMs: 200 });
  });

  it('latencyRate 0.05 delays about one request in twenty (seeded)', async () => {
    const target = app();
    // Only which requests are delayed is asserted (the seeded draw), never how long: the few real 1 ms delays
    // cannot make this test time-dependent.
    await setFaults(target, { latencyMs: 1, latencyRate: 0.05, seed: 42 });
    await statuses(target, 60);
    const delayed = faultLines(current?.logs ?? []).length;
    expect(delayed).toBeGreaterThanOrEqual(1);
    expect(delayed).toBeLessThanOrEqual(8);
  });

  it('slow tail: latencyRate 0.03 delays by 300 ms exactly the requests whose draw is below 0.03', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // One draw per request (no other rate is set; a fixed latency needs no second draw).
    const draws = [0.5, 0.0299, 0.03, 0.99, 0];
    const target = app(ENV, { random: () => draws.shift() ?? 0.5 });
    await setFaults(target, { latencyMs: 300, latencyRate: 0.03 });
    const delayed: boolean[] = [];
    for (let i = 0; i < 5; i += 1) {
      const before = faultLines(current?.logs ?? []).length;
      let answered = false;
      const pending = api(target).then((response) => {
        answered = true;
        return response;
      });
      // Either the answer or the fault's log line comes first; a delayed request logs before it waits.
      await Promise.race([
        pending,
        current?.logged(
          (line) => line.msg === 'fault injected' && faultLines(current?.logs ?? []).length > before,
        ),
      ]);
      const wasDelayed = faultLines(current?.logs ?? []).length > before;
      if (wasDelayed) {
        await vi.advanceTimersByTimeAsync(299);
        expect(answered).toBe(false);
        await vi.advanceTimersByTimeAsync(1);
      }
      expect((await pending).status).toBe(200);
      delayed.push(wasDelayed);
    }
    expect(delayed).toEqual([false, true, false, false, true]);
    expect(faultLines(current?.logs ?? [])).toEqual([
      expect.objectContaining({ fault: 'latency', latencyMs: 300 }),
      expect.objectContaining({ fault: 'latency', latencyMs: 300 }),
    ]);
  });

  it('resetRate destroys the connection without an answer', async () => {
    const target = app();
    const base = await listen(target);
    await setFaults(target, { resetRate: 1 });
    await expect(api(base)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(faultLines(current?.logs ?? [])).toEqual([expect.objectContaining({ fault: 'reset' })]);
  });

  it('after + resetRate creates the order but loses the answer; a retry with the key gets the replay', async () => {
    const target = app();
    const base = await listen(target);
    await setFaults(target, { resetRate: 1, when: 'after', routes: ['POST /api/orders'] });
    const checkout = () =>
      request(base)
        .post('/api/orders')
        .set({ 'X-API-Key': KEY, 'Idempotency-Key': 'lost-answer-1' })
        .send({ itemId: '4', quantity: 1 });
    await expect(checkout()).rejects.toThrow(/socket hang up|ECONNRESET/);
    const listed = await api(target, '/api/orders');
    expect(listed.body.total).toBe(1);

    await request(target).delete('/__admin/faults').set(AUTH);
    const retried = await checkout();
    expect(retried.status).toBe(201);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect(retried.body.id).toBe(listed.body.orders[0].id);
    expect((await api(target, '/api/orders')).body.total).toBe(1);
  });

  it('after + errorRate runs the handler, then answers the error instead', async () => {
    const target = app();
    await setFaults(target, { errorRate: 1, errorStatus: 500, when: 'after', routes: ['POST /api/orders'] });
    const response = await request(target)
      .post('/api/orders')
      .set('X-API-Key', KEY)
      .send({ itemId: '4', quantity: 1 });
    expect(response.status).toBe(500);
    expect(response.body.error).toBe('injected_fault');
    expect(response.headers.location).toBeDefined();
    expect((await api(target, '/api/orders')).body.total).toBe(1);
  });

  it('hangRate holds the request until the server request timeout, then closes the connection', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const target = app({ ...ENV, REQUEST_TIMEOUT_MS: '5000' });
    const base = await listen(target);
    await setFaults(target, { hangRate: 1 });
    let settled = false;
    const pending = api(base).then(
      () => {
        settled = true;
      },
      (error: Error) => {
        settled = true;
        return error;
      },
    );
    await current?.logged((line) => line.msg === 'fault injected');
    await vi.advanceTimersByTimeAsync(4999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(String(await pending)).toMatch(/socket hang up|ECONNRESET/);
  });

  it('close() releases held requests', async () => {
    const target = app();
    const base = await listen(target);
    await setFaults(target, { hangRate: 1 });
    const pending = api(base).catch((error: Error) => error);
    await current?.logged((line) => line.msg === 'fault injected');
    await current?.close();
    expect(String(await pending)).toMatch(/socket hang up|ECONNRESET/);
  });
});
