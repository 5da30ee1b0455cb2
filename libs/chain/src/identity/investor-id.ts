import { id } from 'ethers';
import { IdentityRegistry__factory } from '../generated';

/**
 * The on-chain investor id for a person known off chain by `reference`: a hash (no personal data
 * on chain) whose low 7 bytes are zero, as the IdentityRegistry packs it beside country and expiry.
 */
export function registryInvestorId(reference: string): string {
  return `0x${id(`investor:${reference}`).slice(2, 52)}${'0'.repeat(14)}`;
}

/** The IdentityRegistry's ABI, for intents that register, update or remove wallets. */
export const identityRegistryInterface = IdentityRegistry__factory.createInterface();
