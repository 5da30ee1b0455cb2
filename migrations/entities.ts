import { AUDIT_ENTITIES } from '@gpu/audit';
import { CHAIN_ENTITIES } from '@gpu/chain';
import { COMPLIANCE_ENTITIES } from '@gpu/compliance';
import { DISTRIBUTION_ENTITIES } from '@gpu/distribution';
import { FARM_ENTITIES } from '@gpu/farms';
import { IDENTITY_ENTITIES } from '@gpu/identity';
import { ISSUANCE_ENTITIES } from '@gpu/issuance';
import { KYC_ENTITIES } from '@gpu/kyc';
import { ORACLE_ENTITIES } from '@gpu/oracle';

/** Every entity of every library: what migration:generate compares the database with. */
export const ENTITIES = [
  ...CHAIN_ENTITIES,
  ...AUDIT_ENTITIES,
  ...IDENTITY_ENTITIES,
  ...KYC_ENTITIES,
  ...FARM_ENTITIES,
  ...ISSUANCE_ENTITIES,
  ...ORACLE_ENTITIES,
  ...DISTRIBUTION_ENTITIES,
  ...COMPLIANCE_ENTITIES,
];
