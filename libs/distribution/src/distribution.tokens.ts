/** The ChainTxListener topic of a distribution's publishRevenueRoot transaction. */
export const DISTRIBUTION_PUBLISH_TOPIC = 'distribution.publish';
