// Fund-wide audit facts of the other domains, read through what each publishes (its public.ts):
// supervision is the auditor, it reads everything and writes only its own table, and it knows no
// other domain's keys, indexes or shard layout beyond the shard counts their interfaces name.
import { policyOn } from '../../../shared/policy.ts';
import type { Account } from '../../../shared/ledger/ledger.ts';
import type { Page, PageRange } from '../../../shared/ddb.ts';
import { addMonths, periodOf } from '../../../shared/clock.ts';
import { CLAIM_SHARDS, propertyClaimsOfShardPage, withdrawalsByReasonAndYearPage, withdrawalsOfAccount, type PropertyClaimFact, type WithdrawalFact } from '../../withdrawals/public.ts';
import { UNIT_SHARDS, unitsOfShardPage, unitDeferrals, inRanges, type UnitAuditFact } from '../../deposits/public.ts';
import { borrowerFlagsOf, loanWithSchedule, type BorrowerFlags } from '../../loans/public.ts';
import { depositsStoppedAfterLoan, loanOverdue, propertyReuse, reconcileLoan, rentConflicts, unitArrears, type FindingCandidate } from '../domain/rules.ts';
import type { AuditPartMessage } from '../schemas.ts';

/**
 * A part of a fund-wide rule, read page by page: `read` a range of its list (PageRange of the
 * domain's public.ts), `findings` the rule over one page's facts. Every part's pages together find
 * what the rule over all the facts at once finds, each finding in exactly one page.
 */
export interface FundWidePart<F> {
  read(range: PageRange): Promise<Page<F>>;
  findings(page: readonly F[]): Promise<FindingCandidate[]>;
}

const shards = (n: number) => Array.from({ length: n }, (_x, i) => i);

/** The parts of the fund-wide rules of a run auditing `today`: each claim shard, each unit shard, the rent withdrawals of last year and this year. */
export function fundWideParts(runId: string, today: string): AuditPartMessage[] {
  const year = Number(today.slice(0, 4));
  return [
    ...shards(CLAIM_SHARDS).map((shard) => ({ kind: 'CLAIMS' as const, runId, shard })),
    ...shards(UNIT_SHARDS).map((shard) => ({ kind: 'UNITS' as const, runId, shard })),
    ...[year - 1, year].map((y) => ({ kind: 'RENTS' as const, runId, year: y })),
  ];
}

/**
 * Property reuse over one claim shard: the claims of a property are sharded by the property's document
 * (all in one claim item), so a page of a shard holds every claim of each of its properties.
 */
const claimsPart = (shard: number, today: string): FundWidePart<PropertyClaimFact> => ({
  read: (range) => propertyClaimsOfShardPage(shard, range),
  findings: async (claims) => propertyReuse(claims, policyOn(today).withdrawals.propertyRepeatWindowMonths),
});

const PURCHASE_REASONS = ['PURCHASE', 'OFFSITE_PURCHASE'];
const paidOn = (w: { paidOn?: string; submittedAt: string }) => w.paidOn ?? w.submittedAt.slice(0, 10);
const submissionOrder = (a: WithdrawalFact, b: WithdrawalFact) => `${a.submittedAt}#${a.withdrawalId}`.localeCompare(`${b.submittedAt}#${b.withdrawalId}`);

/**
 * Rent with a loan or a purchase over a page of one year's RENT withdrawals: the rule is an account's,
 * over its PAID rent withdrawals submitted last year or this year (read with the rest of its own
 * withdrawals, one query per account), and it is applied by the one page, of the two years' lists,
 * holding the account's first rent withdrawal of those years (whatever its status: it names the page
 * however the statuses move during the run). Reads: one per account of the page, not one per account.
 */
const rentsPart = (year: number, today: string): FundWidePart<WithdrawalFact> => {
  const thisYear = Number(today.slice(0, 4));
  const ofWindow = (w: WithdrawalFact) => w.reason === 'RENT' && [thisYear - 1, thisYear].includes(Number(w.submittedAt.slice(0, 4)));
  return {
    read: (range) => withdrawalsByReasonAndYearPage('RENT', year, range),
    findings: async (page) => {
      const inPage = new Set(page.map((w) => w.withdrawalId));
      const accounts = [...new Set(page.map((w) => w.accountNo))];
      const flags = await borrowerFlagsOf(accounts);
      const found: FindingCandidate[] = [];
      for (const accountNo of accounts) {
        const own = await withdrawalsOfAccount(accountNo);
        const rents = own.filter(ofWindow).sort(submissionOrder);
        if (!rents.length || !inPage.has(rents[0].withdrawalId)) continue; // another page's account
        const rentWithdrawals = rents.filter((w) => w.status === 'PAID').map((w) => ({ withdrawalId: w.withdrawalId, paidOn: paidOn(w) }));
        if (!rentWithdrawals.length) continue;
        const purchaseWithdrawalYears = [...new Set(own.filter((w) => PURCHASE_REASONS.includes(w.reason) && w.status === 'PAID').map((w) => Number(paidOn(w).slice(0, 4))))];
        found.push(...rentConflicts({ accountNo, rentWithdrawals, purchaseWithdrawalYears, hasActiveLoan: !!flags.get(accountNo)?.activeLoanId }));
      }
      return found;
    },
  };
};

function expand(range: string): string[] {
  const [from, to] = range.split(':');
  const out: string[] = [];
  for (let p = from; p <= to; p = addMonths(p, 1)) out.push(p);
  return out;
}

/** Unit arrears over a page of one unit shard: a unit that lists remittances but never pays them is in arrears (the rule counts from the last funded period). */
const unitsPart = (shard: number, today: string): FundWidePart<UnitAuditFact> => ({
  read: (range) => unitsOfShardPage(shard, range),
  findings: async (units) => {
    const months = policyOn(today).supervision.unitNoRemittanceMonths;
    const found: FindingCandidate[] = [];
    for (const unit of units) {
      const deferredPeriods = (await unitDeferrals(unit.unitId)).flatMap((r) => expand(r));
      found.push(...unitArrears({ unitId: unit.unitId, lastFundedPeriod: unit.lastFundedPeriod, startPeriod: unit.startPeriod, currentPeriod: periodOf(today), deferredPeriods }, months));
    }
    return found;
  },
});

/** The part a message's page belongs to, read and judged as of `today`; `run(part)` is called with it (typed by its facts). */
export function withFundWidePart<R>(msg: AuditPartMessage, today: string, run: <F>(part: FundWidePart<F>) => Promise<R>): Promise<R> {
  switch (msg.kind) {
    case 'CLAIMS':
      return run(claimsPart(msg.shard, today));
    case 'UNITS':
      return run(unitsPart(msg.shard, today));
    case 'RENTS':
      return run(rentsPart(msg.year, today));
  }
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
