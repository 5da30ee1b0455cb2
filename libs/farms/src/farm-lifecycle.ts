import type { FarmStatus } from './entities/farm.entity';
import { FarmError } from './farms.errors';

/**
 * The listing's lifecycle: draft -> submitted -> approved / rejected (by compliance) ->
 * tokenized -> active <-> suspended -> retired. A rejected listing goes back to draft when the
 * operator edits it; only draft and rejected listings can be edited.
 */
export const FARM_TRANSITIONS: Readonly<Record<FarmStatus, readonly FarmStatus[]>> = {
  draft: ['submitted'],
  submitted: ['approved', 'rejected'],
  rejected: ['draft'],
  approved: ['tokenized'],
  tokenized: ['active', 'retired'],
  active: ['suspended', 'retired'],
  suspended: ['active', 'retired'],
  retired: [],
};

export const EDITABLE_FARM_STATUSES: readonly FarmStatus[] = ['draft', 'rejected'];

export function canTransition(from: FarmStatus, to: FarmStatus): boolean {
  return FARM_TRANSITIONS[from].includes(to);
}

/** Throws the 409 that names both states when `from` cannot become `to`. */
export function assertTransition(from: FarmStatus, to: FarmStatus): void {
  if (!canTransition(from, to)) throw FarmError.invalidTransition(from, to);
}
