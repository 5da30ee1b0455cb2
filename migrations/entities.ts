import { AUDIT_ENTITIES } from '@gpu/audit';
import { CHAIN_ENTITIES } from '@gpu/chain';

/** Every entity of every library: what migration:generate compares the database with. */
export const ENTITIES = [...CHAIN_ENTITIES, ...AUDIT_ENTITIES];
