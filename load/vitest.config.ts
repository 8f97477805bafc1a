import { defineConfig } from 'vitest/config';
import { sharedTestConfig } from '../vitest.shared.js';

// Two workers: the test files that run Artillery are mostly waiting on child processes, not on this CPU.
export default defineConfig({ test: { ...sharedTestConfig, maxWorkers: 2 } });
