// Who reads what in supervision (domain/access.ts), deny by default: a missing claim is never the
// widest scope (issue 14, finding 6). The HTTP core refuses such tokens too; this decision must be
// right on its own.
import { describe, it, expect } from 'vitest';
import { canReadArchive, indicatorScope, ownsTransaction } from '../../functions/supervision/domain/access.ts';
import type { Caller } from '../../shared/auth.ts';

const staff = (branch?: string): Caller => ({ sub: 's', role: 'staff', branch });

describe('indicator scope', () => {
  it('a staff caller without a branch (or an empty one) reads nothing: not the city, not a branch', () => {
    for (const c of [staff(undefined), staff('')]) {
      expect(indicatorScope(c, undefined)).toEqual({ forbidden: true });
      expect(indicatorScope(c, 'SC')).toEqual({ forbidden: true });
      expect(indicatorScope(c, '*')).toEqual({ forbidden: true });
    }
  });

  it('branch staff read their own branch (asked or not), never another one or the city', () => {
    expect(indicatorScope(staff('SC'), undefined)).toEqual({ branch: 'SC' });
    expect(indicatorScope(staff('SC'), 'SC')).toEqual({ branch: 'SC' });
    expect(indicatorScope(staff('SC'), 'XH')).toEqual({ forbidden: true });
    expect(indicatorScope(staff('SC'), '*')).toEqual({ forbidden: true });
  });

  it('auditors and city-level staff read the city or any branch', () => {
    for (const c of [staff('*'), { sub: 'a', role: 'auditor' } as Caller]) {
      expect(indicatorScope(c, undefined)).toEqual({ branch: undefined });
      expect(indicatorScope(c, 'XH')).toEqual({ branch: 'XH' });
    }
  });

  it('any other role reads nothing, whatever its claims', () => {
    for (const role of ['member', 'unit', 'admin'] as const) {
      expect(indicatorScope({ sub: 'x', role, branch: '*' }, undefined)).toEqual({ forbidden: true });
      expect(indicatorScope({ sub: 'x', role, branch: 'SC' }, 'SC')).toEqual({ forbidden: true });
    }
  });
});

describe('archive and ratings: missing claims see nothing', () => {
  it('staff without a branch, a member without an account, a unit without a unit id read no archive', () => {
    const owner = { branch: undefined, accountNo: undefined, unitId: undefined };
    expect(canReadArchive(staff(undefined), owner)).toBe(false);
    expect(canReadArchive(staff(undefined), { branch: 'SC' })).toBe(false);
    expect(canReadArchive({ sub: 'm', role: 'member' }, owner)).toBe(false);
    expect(canReadArchive({ sub: 'u', role: 'unit' }, owner)).toBe(false);
    expect(canReadArchive({ sub: 'x', role: 'admin' }, { branch: 'SC' })).toBe(false);
    expect(ownsTransaction({ sub: 'm', role: 'member' }, [])).toBe(false);
  });
});
