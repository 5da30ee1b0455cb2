/** Injection tokens of the chain library. */
export const CHAIN_PROVIDER = Symbol('CHAIN_PROVIDER');
export const DEPLOYMENT = Symbol('DEPLOYMENT');
