/**
 * Transport-neutral resilience for any async operation.
 *
 * @packageDocumentation
 */
export {};
