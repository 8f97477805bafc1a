// Type-level tests: `pnpm typecheck` (tsc over src/ and test/) fails when one of these does not hold. They are
// not runtime tests (vitest runs `*.test.ts` only), so they add nothing to the test count.
import type { Request } from 'express';
import { expectTypeOf } from 'vitest';
import type { Logger } from '../src/index.js';

// The module augmentation types req.id as string and req.log as Logger for every Express app that imports us.
expectTypeOf<Request['id']>().toEqualTypeOf<string>();
expectTypeOf<Request['log']>().toEqualTypeOf<Logger>();
