import { randomUUID } from 'node:crypto';

/** A validated checkout: the body sent upstream as it is. */
export interface CheckoutInput {
  readonly itemId: string | number;
  readonly quantity: number;
}

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export type ParseResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: FieldProblem[] };

/** Largest quantity one checkout may order (mock-api refuses more). */
export const MAX_QUANTITY = 100;
const ITEM_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** 1-255 printable ASCII characters, as mock-api accepts them. */
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

/**
 * Validates an inbound checkout body before anything is sent upstream. Only `itemId` and `quantity` are kept;
 * other fields are ignored.
 */
export function parseCheckoutInput(body: unknown): ParseResult<CheckoutInput> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return {
      ok: false,
      problems: [{ field: 'body', message: 'expected a JSON object { itemId, quantity }' }],
    };
  }
  const { itemId, quantity } = body as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const itemIdValid =
    (typeof itemId === 'string' && ITEM_ID.test(itemId)) ||
    (typeof itemId === 'number' && Number.isSafeInteger(itemId) && itemId > 0);
  if (!itemIdValid) {
    problems.push({
      field: 'itemId',
      message: 'expected a positive integer or 1-64 characters of letters, digits, "_" or "-"',
    });
  }
  if (
    typeof quantity !== 'number' ||
    !Number.isInteger(quantity) ||
    quantity < 1 ||
    quantity > MAX_QUANTITY
  ) {
    problems.push({ field: 'quantity', message: `expected an integer from 1 to ${MAX_QUANTITY}` });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { itemId: itemId as string | number, quantity: quantity as number } };
}

/**
 * The idempotency key of one checkout: the caller's `Idempotency-Key` when present and valid, a new UUID when
 * absent. A present but invalid key is refused rather than replaced: replacing it would give each retry of the
 * caller a different key, and so a second order.
 */
export function resolveIdempotencyKey(
  header: string | undefined,
  generate: () => string = randomUUID,
): ParseResult<string> {
  if (header === undefined) return { ok: true, value: generate() };
  if (!IDEMPOTENCY_KEY.test(header)) {
    return {
      ok: false,
      problems: [{ field: 'Idempotency-Key', message: 'expected 1-255 printable ASCII characters' }],
    };
  }
  return { ok: true, value: header };
}
