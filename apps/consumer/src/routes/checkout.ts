import express, { Router } from 'express';
import { parseCheckoutInput, resolveIdempotencyKey } from '../checkout-input.js';
import { degradedCheckoutResponse } from '../degradation.js';
import { failureFields, failureLevel } from '../log-fields.js';
import { classifyUpstreamError, UPSTREAM_REQUEST_DEFAULTS } from '../upstream.js';
import { errorBody, type RouteContext } from './route-context.js';

/** Largest checkout body accepted. */
export const CHECKOUT_BODY_LIMIT = '16kb';

/**
 * `POST /checkout` `{ itemId, quantity }` -> upstream `POST /api/orders` with an `Idempotency-Key` (the
 * caller's, or one generated for this checkout), identical on every retry so a checkout creates one order.
 * Input is validated before anything is sent upstream.
 */
export function checkoutRouter(context: RouteContext, generateKey: () => string): Router {
  const router = Router();
  router.post(
    '/checkout',
    (req, res, next) => {
      // Anything but a JSON body, an empty one without a Content-Type included.
      if (!req.is('application/json')) {
        res
          .status(415)
          .json(errorBody(req, 'unsupported_media_type', 'Send the checkout as application/json'));
        return;
      }
      next();
    },
    express.json({ limit: CHECKOUT_BODY_LIMIT, strict: false }),
    async (req, res) => {
      const key = resolveIdempotencyKey(req.get('Idempotency-Key'), generateKey);
      if (!key.ok) {
        res.status(400).json(
          errorBody(req, 'invalid_idempotency_key', 'Invalid Idempotency-Key header', {
            details: key.problems,
          }),
        );
        return;
      }
      const input = parseCheckoutInput(req.body);
      if (!input.ok) {
        res.status(400).json(
          errorBody(req, 'validation_failed', 'Invalid checkout', {
            details: input.problems,
            idempotencyKey: key.value,
          }),
        );
        return;
      }
      const idempotencyKey = key.value;
      res.set('Idempotency-Key', idempotencyKey);
      try {
        const response = await context.client.post('/api/orders', input.value, {
          ...UPSTREAM_REQUEST_DEFAULTS,
          deadline: context.deadlineOf(req),
          // Never hedged: a second copy of an order in flight would only meet the first at the upstream.
          hedge: false,
          headers: { 'Idempotency-Key': idempotencyKey },
        });
        const replayed = response.headers['idempotent-replayed'];
        if (typeof replayed === 'string') res.set('Idempotent-Replayed', replayed);
        res.status(response.status).json(response.data);
      } catch (error) {
        const failure = classifyUpstreamError(error);
        if (failure === undefined) throw error;
        const answer = degradedCheckoutResponse(failure, {
          requestId: req.id,
          idempotencyKey,
          breakerRetryAfterMs: context.breakerRetryAfterMs(),
        });
        req.log[failureLevel(failure)](
          { ...failureFields(failure, error), status: answer.status, idempotencyKey },
          'checkout failed upstream',
        );
        res.status(answer.status).set(answer.headers).json(answer.body);
      }
    },
  );
  return router;
}
