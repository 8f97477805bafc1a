import type { Request, RequestHandler, Response } from 'express';
import { describe, expect, it, vi } from 'vitest';
import { chain } from './chain.js';

const req = {} as Request;
const res = {} as Response;

describe('chain', () => {
  it('runs handlers in order, then calls next', () => {
    const order: number[] = [];
    const handler =
      (n: number): RequestHandler =>
      (_req, _res, next) => {
        order.push(n);
        next();
      };
    const next = vi.fn<(error?: unknown) => void>();
    chain([handler(1), handler(2), handler(3)])(req, res, next);
    expect(order).toEqual([1, 2, 3]);
    expect(next).toHaveBeenCalledWith();
  });

  it('stops at a handler that answers, and passes errors (passed or thrown) to next', () => {
    const never = vi.fn();
    const next = vi.fn<(error?: unknown) => void>();
    chain([(_q, _s, n) => n(new Error('passed')), never])(req, res, next);
    expect(next).toHaveBeenCalledWith(new Error('passed'));
    chain([
      () => {
        throw new Error('thrown');
      },
      never,
    ])(req, res, next);
    expect(next).toHaveBeenLastCalledWith(new Error('thrown'));
    chain([() => {}, never])(req, res, next);
    expect(never).not.toHaveBeenCalled();
    expect(next).toHaveBeenCalledTimes(2);
  });
});
