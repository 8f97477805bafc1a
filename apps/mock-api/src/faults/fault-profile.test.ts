import { describe, expect, it } from 'vitest';
import { describeFaultProfile, parseFaultProfile } from './fault-profile.js';

describe('parseFaultProfile', () => {
  it('fills defaults for an empty profile', () => {
    expect(parseFaultProfile({})).toEqual({
      ok: true,
      profile: {
        errorRate: 0,
        errorStatus: 503,
        latencyMs: undefined,
        latencyRate: 0,
        hangRate: 0,
        resetRate: 0,
        down: false,
        failNext: 0,
        when: 'before',
        routes: undefined,
        seed: undefined,
      },
    });
  });

  it('turns a fixed latency into a range and defaults latencyRate to 1 when latency is set', () => {
    const parsed = parseFaultProfile({ latencyMs: 200 });
    expect(parsed.ok && parsed.profile.latencyMs).toEqual({ min: 200, max: 200 });
    expect(parsed.ok && parsed.profile.latencyRate).toBe(1);
    const partial = parseFaultProfile({ latencyMs: { min: 10, max: 20 }, latencyRate: 0.05 });
    expect(partial.ok && partial.profile.latencyRate).toBe(0.05);
  });

  it('reports every problem at once', () => {
    const parsed = parseFaultProfile({ errorRate: -0.1, hangRate: 'often', down: 'yes', extra: 1 });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problems).toEqual([
      'unknown field "extra"',
      'errorRate must be a number from 0 to 1',
      'hangRate must be a number from 0 to 1',
      'down must be true or false',
    ]);
  });

  it('does not mutate its input', () => {
    const input = Object.freeze({
      latencyMs: Object.freeze({ min: 1, max: 2 }),
      routes: Object.freeze(['/api']),
    });
    expect(parseFaultProfile(input).ok).toBe(true);
  });

  it('describes a profile in the shape PUT accepts, round trip', () => {
    const input = {
      errorRate: 0.1,
      latencyMs: { min: 5, max: 9 },
      latencyRate: 0.5,
      routes: ['/api/items'],
      seed: 3,
    };
    const parsed = parseFaultProfile(input);
    if (!parsed.ok) throw new Error('expected a valid profile');
    const described = describeFaultProfile(parsed.profile, 0);
    expect(parseFaultProfile(described)).toEqual(parsed);
  });
});
