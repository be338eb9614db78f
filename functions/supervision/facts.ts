// Fund-wide audit facts read from the other domains' tables. Supervision is the auditor: it reads
// everything and writes only its own table. The key formats below are those the owning stores
// document in their headers (functions/<domain>/store.ts); the audit tests build every fact through
// the owners' APIs, so a change on either side fails a test.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ddb } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { policyOn } from '../../shared/policy.ts';
import { getAccounts } from '../../shared/ledger/ledger.ts';
import { propertyReuse, rentConflicts, type FindingCandidate, type PropertyClaim } from './domain/rules.ts';

async function queryAll(table: string, index: string | undefined, keyName: string, keyValue: string): Promise<Record<string, any>[]> {
  const items: Record<string, any>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await ddb.send(
      new QueryCommand({ TableName: tableName(table), IndexName: index, KeyConditionExpression: '#k = :v', ExpressionAttributeNames: { '#k': keyName }, ExpressionAttributeValues: { ':v': keyValue }, ExclusiveStartKey: start }),
    );
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

// withdrawals: CLAIM#… items on gsi2 CLAIMS#<00-15>; withdrawals on gsi2 WREASON#<reason>#<year>, gsi1 ACCW#<accountNo>
const CLAIM_SHARDS = 16;

async function propertyClaims(): Promise<PropertyClaim[]> {
  const claims: PropertyClaim[] = [];
  for (let shard = 0; shard < CLAIM_SHARDS; shard++) {
    for (const item of await queryAll('withdrawals', 'gsi2', 'gsi2pk', `CLAIMS#${String(shard).padStart(2, '0')}`)) {
      if (item.kind !== 'PROPERTY') continue;
      for (const c of item.claims ?? []) if (c.status !== 'REJECTED') claims.push({ propertyCertificateNo: item.docNo, accountNo: c.accountNo, claimedOn: c.claimedOn, withdrawalId: c.withdrawalId });
    }
  }
  return claims;
}

const PURCHASE_REASONS = ['PURCHASE', 'OFFSITE_PURCHASE'];

async function rentFindings(today: string): Promise<FindingCandidate[]> {
  const year = Number(today.slice(0, 4));
  const rents = (await Promise.all([year - 1, year].map((y) => queryAll('withdrawals', 'gsi2', 'gsi2pk', `WREASON#RENT#${y}`)))).flat().filter((w) => w.status === 'PAID');
  const byAccount = new Map<string, { withdrawalId: string; paidOn: string }[]>();
  for (const w of rents) byAccount.set(w.accountNo, [...(byAccount.get(w.accountNo) ?? []), { withdrawalId: w.withdrawalId, paidOn: w.paidOn ?? w.submittedAt.slice(0, 10) }]);
  const accounts = await getAccounts([...byAccount.keys()]);
  const found: FindingCandidate[] = [];
  for (const [accountNo, rentWithdrawals] of byAccount) {
    const own = await queryAll('withdrawals', 'gsi1', 'gsi1pk', `ACCW#${accountNo}`);
    const purchaseWithdrawalYears = [...new Set(own.filter((w) => PURCHASE_REASONS.includes(w.reason) && w.status === 'PAID').map((w) => Number((w.paidOn ?? w.submittedAt).slice(0, 4))))];
    found.push(...rentConflicts({ accountNo, rentWithdrawals, purchaseWithdrawalYears, hasActiveLoan: !!accounts.get(accountNo)?.activeLoanId }));
  }
  return found;
}

export async function fundWideFindings(today: string): Promise<FindingCandidate[]> {
  const policy = policyOn(today);
  return [...propertyReuse(await propertyClaims(), policy.withdrawals.propertyRepeatWindowMonths), ...(await rentFindings(today))];
}
