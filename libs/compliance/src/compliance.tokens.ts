/** The ChainTxListener topic of enforcement transactions. */
export const ENFORCEMENT_TOPIC = 'compliance.enforcement';
