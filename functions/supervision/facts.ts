// Fund-wide audit facts read from the other domains' tables. Supervision is the auditor: it reads
// everything and writes only its own table. The key formats below are those the owning stores
// document in their headers (functions/<domain>/store.ts); the audit tests build every fact through
// the owners' APIs, so a change on either side fails a test.
import { ddb, queryAll } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { policyOn } from '../../shared/policy.ts';
import { getAccounts } from '../../shared/ledger/ledger.ts';
import { unitDeferrals, inRanges } from '../../shared/contributions.ts';
import { addMonths, periodOf } from '../../shared/clock.ts';
import type { Account } from '../../shared/ledger/ledger.ts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { depositsStoppedAfterLoan, loanOverdue, propertyReuse, reconcileLoan, rentConflicts, unitArrears, type FindingCandidate, type PropertyClaim } from './domain/rules.ts';

const queryKey = (table: string, index: string | undefined, keyName: string, keyValue: string) =>
  queryAll({ TableName: tableName(table), IndexName: index, KeyConditionExpression: '#k = :v', ExpressionAttributeNames: { '#k': keyName }, ExpressionAttributeValues: { ':v': keyValue } });

// withdrawals: CLAIM#… items on gsi2 CLAIMS#<00-15>; withdrawals on gsi2 WREASON#<reason>#<year>, gsi1 ACCW#<accountNo>
const CLAIM_SHARDS = 16;

async function propertyClaims(): Promise<PropertyClaim[]> {
  const claims: PropertyClaim[] = [];
  for (let shard = 0; shard < CLAIM_SHARDS; shard++) {
    for (const item of await queryKey('withdrawals', 'gsi2', 'gsi2pk', `CLAIMS#${String(shard).padStart(2, '0')}`)) {
      if (item.kind !== 'PROPERTY') continue;
      for (const c of item.claims ?? []) if (c.status !== 'REJECTED') claims.push({ propertyCertificateNo: item.docNo, accountNo: c.accountNo, claimedOn: c.claimedOn, withdrawalId: c.withdrawalId });
    }
  }
  return claims;
}

const PURCHASE_REASONS = ['PURCHASE', 'OFFSITE_PURCHASE'];

async function rentFindings(today: string): Promise<FindingCandidate[]> {
  const year = Number(today.slice(0, 4));
  const rents = (await Promise.all([year - 1, year].map((y) => queryKey('withdrawals', 'gsi2', 'gsi2pk', `WREASON#RENT#${y}`)))).flat().filter((w) => w.status === 'PAID');
  const byAccount = new Map<string, { withdrawalId: string; paidOn: string }[]>();
  for (const w of rents) byAccount.set(w.accountNo, [...(byAccount.get(w.accountNo) ?? []), { withdrawalId: w.withdrawalId, paidOn: w.paidOn ?? w.submittedAt.slice(0, 10) }]);
  const accounts = await getAccounts([...byAccount.keys()]);
  const found: FindingCandidate[] = [];
  for (const [accountNo, rentWithdrawals] of byAccount) {
    const own = await queryKey('withdrawals', 'gsi1', 'gsi1pk', `ACCW#${accountNo}`);
    const purchaseWithdrawalYears = [...new Set(own.filter((w) => PURCHASE_REASONS.includes(w.reason) && w.status === 'PAID').map((w) => Number((w.paidOn ?? w.submittedAt).slice(0, 4))))];
    found.push(...rentConflicts({ accountNo, rentWithdrawals, purchaseWithdrawalYears, hasActiveLoan: !!accounts.get(accountNo)?.activeLoanId }));
  }
  return found;
}

// deposits: UNIT#<unitId> / UNIT on gsi2 UNITS#<00-15>; deferral ranges in shared/contributions.ts
const UNIT_SHARDS = 16;

async function unitFindings(today: string, months: number): Promise<FindingCandidate[]> {
  const found: FindingCandidate[] = [];
  for (let shard = 0; shard < UNIT_SHARDS; shard++) {
    for (const unit of await queryKey('deposits', 'gsi2', 'gsi2pk', `UNITS#${String(shard).padStart(2, '0')}`)) {
      const ranges = await unitDeferrals(unit.unitId);
      const deferredPeriods = ranges.flatMap((r) => expand(r));
      found.push(...unitArrears({ unitId: unit.unitId, lastRemittedPeriod: unit.lastRemittedPeriod, startPeriod: unit.startPeriod, currentPeriod: periodOf(today), deferredPeriods }, months));
    }
  }
  return found;
}

function expand(range: string): string[] {
  const [from, to] = range.split(':');
  const out: string[] = [];
  for (let p = from; p <= to; p = addMonths(p, 1)) out.push(p);
  return out;
}

export async function fundWideFindings(today: string): Promise<FindingCandidate[]> {
  const policy = policyOn(today);
  return [
    ...propertyReuse(await propertyClaims(), policy.withdrawals.propertyRepeatWindowMonths),
    ...(await rentFindings(today)),
    ...(await unitFindings(today, policy.supervision.unitNoRemittanceMonths)),
  ];
}

// loans: LOAN#<loanId> / LOAN (the loan), LOAN#<loanId> / S#<chunk> (schedule rows, 12 per item)
async function loanWithSchedule(loanId: string) {
  const loan = (await ddb.send(new GetCommand({ TableName: tableName('loans'), Key: { pk: `LOAN#${loanId}`, sk: 'LOAN' }, ConsistentRead: true }))).Item;
  if (!loan) return undefined;
  const rows = (await queryKey('loans', undefined, 'pk', `LOAN#${loanId}`)).filter((i) => String(i.sk).startsWith('S#')).flatMap((i) => i.rows ?? []);
  return { loan, rows };
}

/** Per-account facts of the loans domain: overdue thresholds, deposits stopped after the loan, loan reconciliation. */
export async function borrowerFindings(account: Account, today: string): Promise<FindingCandidate[]> {
  if (!account.activeLoanId) return [];
  const found = await loanWithSchedule(account.activeLoanId);
  if (!found || found.loan.accountNo !== account.accountNo || found.loan.status !== 'ACTIVE') return []; // the borrower's account carries the loan's findings
  const { loan, rows } = found;
  const p = policyOn(today).loans;
  const s = policyOn(today).supervision;
  const current = periodOf(today);
  const deferred = inRanges(await unitDeferrals(account.unitId), current);
  return [
    ...loanOverdue({ loanId: loan.loanId, consecutiveOverdue: loan.consecutiveOverdue ?? 0, cumulativeOverdue: loan.cumulativeOverdue ?? 0 }, { consecutive: p.overdueFindingConsecutive, cumulative: p.overdueFindingCumulative }),
    ...(loan.disbursedOn ? depositsStoppedAfterLoan({ accountNo: account.accountNo, loanId: loan.loanId, disbursedPeriod: periodOf(loan.disbursedOn), lastPaidPeriod: account.paidPeriods?.at(-1)?.split(':')[1] ?? account.lastPaidPeriod, currentPeriod: current, deferred }, s.depositsStoppedAfterLoanMonths) : []),
    ...reconcileLoan({ loanId: loan.loanId, outstandingPrincipalFen: loan.outstandingPrincipalFen, rows }),
  ];
}
