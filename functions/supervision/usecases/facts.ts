// Fund-wide audit facts of the other domains, read through what each publishes (its public.ts):
// supervision is the auditor, it reads everything and writes only its own table, and it knows no
// other domain's keys, indexes or shard layout beyond the shard counts their interfaces name.
import { policyOn } from '../../../shared/policy.ts';
import type { Account } from '../../../shared/ledger/ledger.ts';
import { addMonths, periodOf } from '../../../shared/clock.ts';
import { CLAIM_SHARDS, propertyClaimsOfShard, withdrawalsByReasonAndYear, withdrawalsOfAccount } from '../../withdrawals/public.ts';
import { UNIT_SHARDS, unitsOfShard, unitDeferrals, inRanges } from '../../deposits/public.ts';
import { borrowerFlagsOf, loanWithSchedule, type BorrowerFlags } from '../../loans/public.ts';
import { depositsStoppedAfterLoan, loanOverdue, propertyReuse, reconcileLoan, rentConflicts, unitArrears, type FindingCandidate, type PropertyClaim } from '../domain/rules.ts';

const shards = (n: number) => Array.from({ length: n }, (_x, i) => i);

async function propertyClaims(): Promise<PropertyClaim[]> {
  return (await Promise.all(shards(CLAIM_SHARDS).map((s) => propertyClaimsOfShard(s)))).flat();
}

const PURCHASE_REASONS = ['PURCHASE', 'OFFSITE_PURCHASE'];
const paidOn = (w: { paidOn?: string; submittedAt: string }) => w.paidOn ?? w.submittedAt.slice(0, 10);

async function rentFindings(today: string): Promise<FindingCandidate[]> {
  const year = Number(today.slice(0, 4));
  const rents = (await Promise.all([year - 1, year].map((y) => withdrawalsByReasonAndYear('RENT', y)))).flat().filter((w) => w.status === 'PAID');
  const byAccount = new Map<string, { withdrawalId: string; paidOn: string }[]>();
  for (const w of rents) byAccount.set(w.accountNo, [...(byAccount.get(w.accountNo) ?? []), { withdrawalId: w.withdrawalId, paidOn: paidOn(w) }]);
  const flags = await borrowerFlagsOf([...byAccount.keys()]);
  const found: FindingCandidate[] = [];
  for (const [accountNo, rentWithdrawals] of byAccount) {
    const own = await withdrawalsOfAccount(accountNo);
    const purchaseWithdrawalYears = [...new Set(own.filter((w) => PURCHASE_REASONS.includes(w.reason) && w.status === 'PAID').map((w) => Number(paidOn(w).slice(0, 4))))];
    found.push(...rentConflicts({ accountNo, rentWithdrawals, purchaseWithdrawalYears, hasActiveLoan: !!flags.get(accountNo)?.activeLoanId }));
  }
  return found;
}

function expand(range: string): string[] {
  const [from, to] = range.split(':');
  const out: string[] = [];
  for (let p = from; p <= to; p = addMonths(p, 1)) out.push(p);
  return out;
}

/** A unit that lists remittances but never pays them is in arrears: the rule counts from the last funded period. */
async function unitFindings(today: string, months: number): Promise<FindingCandidate[]> {
  const found: FindingCandidate[] = [];
  for (const shard of shards(UNIT_SHARDS)) {
    for (const unit of await unitsOfShard(shard)) {
      const deferredPeriods = (await unitDeferrals(unit.unitId)).flatMap((r) => expand(r));
      found.push(...unitArrears({ unitId: unit.unitId, lastFundedPeriod: unit.lastFundedPeriod, startPeriod: unit.startPeriod, currentPeriod: periodOf(today), deferredPeriods }, months));
    }
  }
  return found;
}

export async function fundWideFindings(today: string): Promise<FindingCandidate[]> {
  const policy = policyOn(today);
  return [
    ...propertyReuse(await propertyClaims(), policy.withdrawals.propertyRepeatWindowMonths),
    ...(await rentFindings(today)),
    ...(await unitFindings(today, policy.supervision.unitNoRemittanceMonths)),
  ];
}

/** Per-account facts of the loans domain (`loanFlags`: the account's, loans public.ts borrowerFlagsOf): overdue thresholds, deposits stopped after the loan, loan reconciliation. */
export async function borrowerFindings(account: Account, loanFlags: BorrowerFlags | undefined, today: string): Promise<FindingCandidate[]> {
  if (!loanFlags?.activeLoanId) return [];
  const found = await loanWithSchedule(loanFlags.activeLoanId);
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
