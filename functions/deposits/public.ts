// What other domains may use of the deposits domain (architecture.md: "Flows that cross domains").
// Nothing else of functions/deposits/ is imported from outside it.
// Starter: these wrap what exists today; the deposits domain owns and refines them.
import { ddb, queryAll } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';

export { unitDeferrals, unitCounts, consecutiveDepositMonths, inRanges } from '../../shared/contributions.ts';

/** Units are spread over this many audit shards (0 … UNIT_SHARDS−1). */
export const UNIT_SHARDS = 16;

/** The facts the audit needs of a unit. `lastFundedPeriod`: the latest REGULAR period whose remittance was funded (settled). */
export interface UnitAuditFact {
  unitId: string;
  branch: string;
  startPeriod: string;
  lastFundedPeriod?: string;
}

/** Every unit of one audit shard (bounded: ~1/16 of the city's units). */
export async function unitsOfShard(shard: number): Promise<UnitAuditFact[]> {
  const items = await queryAll({ TableName: tableName('deposits'), IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :v', ExpressionAttributeValues: { ':v': `UNITS#${String(shard).padStart(2, '0')}` } });
  void ddb;
  return items.map((u) => ({ unitId: u.unitId, branch: u.branch, startPeriod: u.startPeriod, lastFundedPeriod: u.lastRemittedPeriod }));
}
