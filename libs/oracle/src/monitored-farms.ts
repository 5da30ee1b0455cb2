import type { FarmStatus } from '@gpu/farms';

/** Farms the oracle probes: tokenized or later, until retired. */
export const MONITORED_FARM_STATUSES: readonly FarmStatus[] = ['tokenized', 'active', 'suspended'];

export const MONITORED_STATUS_SQL = `(${MONITORED_FARM_STATUSES.map((status) => `'${status}'`).join(', ')})`;

/** The id of a farm's repeating probe plan in BullMQ. */
export const PROBE_PLAN_PREFIX = 'oracle-probes.';
export const probePlanId = (farmId: string): string => `${PROBE_PLAN_PREFIX}${farmId}`;
