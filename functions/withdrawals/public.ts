// What other domains may use of the withdrawals domain (architecture.md: "Flows that cross domains").
// Nothing else of functions/withdrawals/ is imported from outside it.
// Starter: these wrap what exists today; the withdrawals domain owns and refines them.
import { queryAll } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';

export const CLAIM_SHARDS = 16;

export interface PropertyClaimFact {
  propertyCertificateNo: string;
  accountNo: string;
  claimedOn: string;
  withdrawalId: string;
}

/** Every claim on a property (not rejected) of one claim shard (0 … CLAIM_SHARDS−1). */
export async function propertyClaimsOfShard(shard: number): Promise<PropertyClaimFact[]> {
  const claims: PropertyClaimFact[] = [];
  for (const item of await queryAll({ TableName: tableName('withdrawals'), IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :v', ExpressionAttributeValues: { ':v': `CLAIMS#${String(shard).padStart(2, '0')}` } })) {
    if (item.kind !== 'PROPERTY') continue;
    for (const c of item.claims ?? []) if (c.status !== 'REJECTED') claims.push({ propertyCertificateNo: item.docNo, accountNo: c.accountNo, claimedOn: c.claimedOn, withdrawalId: c.withdrawalId });
  }
  return claims;
}

export interface WithdrawalFact {
  withdrawalId: string;
  accountNo: string;
  reason: string;
  status: string;
  submittedAt: string;
  paidOn?: string;
}

const fact = (w: Record<string, any>): WithdrawalFact => ({ withdrawalId: w.withdrawalId, accountNo: w.accountNo, reason: w.reason, status: w.status, submittedAt: w.submittedAt, paidOn: w.paidOn });

/** Withdrawals of one reason submitted in one calendar year. */
export async function withdrawalsByReasonAndYear(reason: string, year: number): Promise<WithdrawalFact[]> {
  return (await queryAll({ TableName: tableName('withdrawals'), IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :v', ExpressionAttributeValues: { ':v': `WREASON#${reason}#${year}` } })).map(fact);
}

/** Every withdrawal of an account. */
export async function withdrawalsOfAccount(accountNo: string): Promise<WithdrawalFact[]> {
  return (await queryAll({ TableName: tableName('withdrawals'), IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :v', ExpressionAttributeValues: { ':v': `ACCW#${accountNo}` } })).map(fact);
}
