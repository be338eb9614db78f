// Loan control totals (贷款余额, overdue principal, active loans), sharded per branch in the loans
// table and changed by the loans domain in the same transaction as the loan; read O(shards) by
// supervision's indicators. Shared because two domains use them.
//   LTOT#<branch> / S#<shard:02>   { outstandingPrincipalFen, overduePrincipalFen, activeLoans }
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, type TxItem } from './ddb.ts';
import { tableName } from './config.ts';
import { policyOn } from './policy.ts';
import { businessDate } from './clock.ts';

export interface LoanTotals {
  outstandingPrincipalFen: number;
  overduePrincipalFen: number;
  activeLoans: number;
}

/** Σ of the loan control-total shards of the branches. O(shards). */
export async function loanTotals(branches: readonly string[]): Promise<LoanTotals> {
  const total: LoanTotals = { outstandingPrincipalFen: 0, overduePrincipalFen: 0, activeLoans: 0 };
  for (const branch of branches) {
    const out = await ddb.send(new QueryCommand({ TableName: tableName('loans'), KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': `LTOT#${branch}` }, ConsistentRead: true }));
    for (const item of out.Items ?? []) {
      total.outstandingPrincipalFen += Number(item.outstandingPrincipalFen ?? 0);
      total.overduePrincipalFen += Number(item.overduePrincipalFen ?? 0);
      total.activeLoans += Number(item.activeLoans ?? 0);
    }
  }
  return total;
}

/** The item that moves a branch's loan totals by `deltas` (undefined when nothing changes). */
export function loanTotalsItem(branch: string, deltas: Partial<LoanTotals>): TxItem | undefined {
  const changed = Object.entries(deltas).filter(([, v]) => v !== 0 && v !== undefined) as [string, number][];
  if (!changed.length) return undefined;
  const shard = Math.floor(Math.random() * policyOn(businessDate()).ledger.controlTotalShards);
  return {
    Update: {
      TableName: tableName('loans'),
      Key: { pk: `LTOT#${branch}`, sk: `S#${String(shard).padStart(2, '0')}` },
      UpdateExpression: `ADD ${changed.map(([k]) => `${k} :${k}`).join(', ')}`,
      ExpressionAttributeValues: Object.fromEntries(changed.map(([k, v]) => [`:${k}`, v])),
    },
  };
}
