// What other domains may use of the deposits domain (architecture.md: "Flows that cross domains").
// Nothing else of functions/deposits/ is imported from outside it; no other domain knows its keys.
import * as store from './store.ts';

/** Pure rules of contribution records (they live with the account in the ledger kernel). */
export { consecutiveDepositMonths, inRanges } from '../../shared/ledger/account.ts';

/** Units are spread over this many audit shards (0 … UNIT_SHARDS−1). */
export const UNIT_SHARDS = store.UNIT_SHARDS;

/**
 * The unit's approved deferral (缓缴) ranges, "YYYY-MM:YYYY-MM" sorted by start; [] when none or no
 * unit. Loan eligibility counts deferred months as continuous; the audit raises no arrears for them.
 */
export async function unitDeferrals(unitId: string | undefined): Promise<string[]> {
  if (!unitId) return [];
  return store.deferralRanges(unitId);
}

/** Registered units (缴存单位数) of a branch, or of the whole city. */
export function unitCounts(branch?: string): Promise<number> {
  return store.unitCounts(branch);
}

/** The facts the audit needs of a unit. `lastFundedPeriod`: the latest REGULAR period whose remittance was funded (settled). */
export interface UnitAuditFact {
  unitId: string;
  branch: string;
  startPeriod: string;
  lastFundedPeriod?: string;
}

/** Every unit of one audit shard (bounded: ~1/16 of the city's units). */
export async function unitsOfShard(shard: number): Promise<UnitAuditFact[]> {
  return (await store.unitsOfShard(shard)).map((u) => ({ unitId: u.unitId, branch: u.branch, startPeriod: u.startPeriod, ...(u.lastFundedPeriod ? { lastFundedPeriod: u.lastFundedPeriod } : {}) }));
}
