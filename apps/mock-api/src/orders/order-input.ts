/** A validated order request. */
export interface OrderInput {
  readonly itemId: string;
  readonly quantity: number;
}

export interface FieldProblem {
  readonly field: string;
  readonly problem: string;
}

export const MAX_QUANTITY = 100;
const ITEM_ID = /^[A-Za-z0-9_-]{1,64}$/;
const FIELDS: ReadonlySet<string> = new Set(['itemId', 'quantity']);

/**
 * Checks a `POST /api/orders` body: `{ itemId, quantity }`, where `itemId` is a string (1-64 of
 * A-Z a-z 0-9 _ -) or a positive integer, and `quantity` an integer 1-100. Unknown fields are refused.
 */
export function parseOrderInput(
  body: unknown,
): { ok: true; value: OrderInput } | { ok: false; problems: FieldProblem[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, problems: [{ field: '(body)', problem: 'must be a JSON object' }] };
  }
  const record = body as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  for (const field of Object.keys(record)) {
    if (!FIELDS.has(field)) problems.push({ field, problem: 'is not a known field' });
  }
  const { itemId, quantity } = record;
  let normalizedItemId = '';
  if (itemId === undefined) problems.push({ field: 'itemId', problem: 'is required' });
  else if (typeof itemId === 'number' && Number.isSafeInteger(itemId) && itemId > 0)
    normalizedItemId = String(itemId);
  else if (typeof itemId === 'string' && ITEM_ID.test(itemId)) normalizedItemId = itemId;
  else
    problems.push({
      field: 'itemId',
      problem: 'must be a string of 1-64 of A-Z a-z 0-9 _ - or a positive integer',
    });
  if (quantity === undefined) problems.push({ field: 'quantity', problem: 'is required' });
  else if (
    typeof quantity !== 'number' ||
    !Number.isInteger(quantity) ||
    quantity < 1 ||
    quantity > MAX_QUANTITY
  ) {
    problems.push({ field: 'quantity', problem: `must be an integer from 1 to ${MAX_QUANTITY}` });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { itemId: normalizedItemId, quantity: quantity as number } };
}
