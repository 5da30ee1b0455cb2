import { FARM_STATUSES, type FarmStatus } from './entities/farm.entity';
import { assertTransition, canTransition, EDITABLE_FARM_STATUSES } from './farm-lifecycle';
import { FarmErrorCode } from './farms.errors';

describe('farm lifecycle', () => {
  const allowed: [FarmStatus, FarmStatus][] = [
    ['draft', 'submitted'],
    ['submitted', 'approved'],
    ['submitted', 'rejected'],
    ['rejected', 'draft'],
    ['approved', 'tokenized'],
    ['tokenized', 'active'],
    ['tokenized', 'retired'],
    ['active', 'suspended'],
    ['active', 'retired'],
    ['suspended', 'active'],
    ['suspended', 'retired'],
  ];

  it('allows exactly the documented transitions', () => {
    const all = FARM_STATUSES.flatMap((from) => FARM_STATUSES.map((to) => [from, to] as const));
    const permitted = all.filter(([from, to]) => canTransition(from, to));
    expect(permitted).toEqual(expect.arrayContaining(allowed));
    expect(permitted).toHaveLength(allowed.length);
  });

  it('refuses the rest with a 409 that names both states', () => {
    expect(() => assertTransition('retired', 'active')).toThrow(
      expect.objectContaining({
        code: FarmErrorCode.INVALID_TRANSITION,
        kind: 'conflict',
        details: { from: 'retired', to: 'active' },
      }),
    );
    expect(() => assertTransition('draft', 'approved')).toThrow(
      /draft farm cannot become approved/,
    );
  });

  it('lets only draft and rejected listings be edited', () => {
    expect([...EDITABLE_FARM_STATUSES].sort()).toEqual(['draft', 'rejected']);
  });
});
