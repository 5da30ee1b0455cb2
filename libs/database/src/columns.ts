import type { ValueTransformer } from 'typeorm';

/**
 * Postgres `bigint` and `numeric(78,0)` arrive as strings; money and block numbers live as
 * bigint in TypeScript. Never a JavaScript number, never a float.
 */
export const bigintTransformer: ValueTransformer = {
  to: (value: bigint | null | undefined) =>
    value === null || value === undefined ? value : value.toString(),
  from: (value: string | null) => (value === null ? null : BigInt(value)),
};
