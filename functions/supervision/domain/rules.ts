// Electronic audit rules (电子稽查, domain.md §6), each a pure function over facts the stores provide.
// A finding is keyed by (rule, subject): the same fact found again is the same finding.
import { verifyChain, type ChainedEntry, type ChainHead } from '../../../shared/ledger/chain.ts';

export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';

export interface FindingCandidate {
  rule: string;
  severity: Severity;
  /** What the rule is about: property certificate no., account no., loan id or unit id. */
  subject: string;
  evidence: Record<string, unknown>;
}

export interface AccountFacts {
  accountNo: string;
  status: string;
  statusSince?: string;
  monthlyBaseFen: number;
  employerRatePercent: number;
  employeeRatePercent: number;
  kind: 'EMPLOYEE' | 'FLEXIBLE';
  balanceFen: number;
  /** Sequence number of the account's last entry when it was read. */
  version: number;
  entries: { seq: number; amountFen: number; type: string; occurredAt: string; entryId: string }[];
}

/**
 * The entries as of the account read: the account and its entries are read at two moments, and a
 * posting committed in between adds entries (seq > version) the balance read does not include yet.
 */
export const entriesAsRead = <E extends { seq: number }>(version: number, entries: readonly E[]): E[] => entries.filter((e) => e.seq <= version);

export interface AccountRulePolicy {
  baseCapFen: number;
  minRatePercent: number;
  maxRatePercent: number;
  flexibleMinRatePercent: number;
  flexibleMaxRatePercent: number;
}

/** Reconciliation: the balance equals the sum of the entries up to the version read (later postings are not in the balance read). */
export function reconcileAccount(a: AccountFacts): FindingCandidate[] {
  const entries = entriesAsRead(a.version, a.entries);
  const entriesSumFen = entries.reduce((s, e) => s + e.amountFen, 0);
  if (entriesSumFen === a.balanceFen) return [];
  return [{ rule: 'RECONCILIATION_ACCOUNT', severity: 'CRITICAL', subject: a.accountNo, evidence: { balanceFen: a.balanceFen, entriesSumFen, differenceFen: a.balanceFen - entriesSumFen, entries: entries.length, version: a.version } }];
}

/** An account's head and its entries, as stored, for the chain check. */
export interface ChainFactsOfAccount extends ChainHead {
  accountNo: string;
  version: number;
  entries: readonly ChainedEntry[];
}

/** At most this many problems are named in a finding's evidence (the count names them all). */
const CHAIN_PROBLEMS_SHOWN = 20;

/**
 * Tamper evidence: the entries up to the version read verify against their hash chain (each links to
 * the one before, the first hashed one to the account's genesis value) and against the account's
 * head. An edited, deleted, inserted or reordered entry breaks it. Entries written before the chain
 * existed carry no hash and are outside it (their sequence is still checked).
 */
export function ledgerChain(a: ChainFactsOfAccount): FindingCandidate[] {
  const v = verifyChain(a, entriesAsRead(a.version, a.entries));
  if (v.intact) return [];
  return [
    {
      rule: 'LEDGER_CHAIN_BROKEN',
      severity: 'CRITICAL',
      subject: a.accountNo,
      evidence: { problems: v.problems.slice(0, CHAIN_PROBLEMS_SHOWN), problemCount: v.problems.length, version: a.version, headSeq: a.chainSeq ?? null, chainStartSeq: v.chainStartSeq ?? null, hashedEntries: v.hashedEntries },
    },
  ];
}

export function baseAndRatio(a: AccountFacts, p: AccountRulePolicy): FindingCandidate[] {
  const out: FindingCandidate[] = [];
  if (a.monthlyBaseFen > p.baseCapFen) out.push({ rule: 'BASE_ABOVE_CAP', severity: 'MEDIUM', subject: a.accountNo, evidence: { monthlyBaseFen: a.monthlyBaseFen, capFen: p.baseCapFen } });
  if (a.kind === 'EMPLOYEE') {
    for (const [side, rate] of [['employer', a.employerRatePercent], ['employee', a.employeeRatePercent]] as const) {
      if (rate < p.minRatePercent || rate > p.maxRatePercent) out.push({ rule: 'RATIO_OUT_OF_RANGE', severity: 'MEDIUM', subject: a.accountNo, evidence: { side, ratePercent: rate, min: p.minRatePercent, max: p.maxRatePercent } });
    }
  } else {
    const rate = a.employeeRatePercent + a.employerRatePercent;
    if (rate < p.flexibleMinRatePercent || rate > p.flexibleMaxRatePercent) out.push({ rule: 'RATIO_OUT_OF_RANGE', severity: 'MEDIUM', subject: a.accountNo, evidence: { side: 'flexible', ratePercent: rate, min: p.flexibleMinRatePercent, max: p.flexibleMaxRatePercent } });
  }
  return out;
}

/** Any debit on a frozen account (after it was frozen). */
export function frozenDebits(a: AccountFacts): FindingCandidate[] {
  if (a.status !== 'FROZEN') return [];
  const debits = entriesAsRead(a.version, a.entries).filter((e) => e.amountFen < 0 && (!a.statusSince || e.occurredAt >= a.statusSince));
  if (!debits.length) return [];
  return [{ rule: 'FROZEN_ACCOUNT_DEBIT', severity: 'HIGH', subject: a.accountNo, evidence: { frozenSince: a.statusSince, debits: debits.map((d) => ({ entryId: d.entryId, amountFen: d.amountFen, occurredAt: d.occurredAt })) } }];
}

/** A branch's control totals as read: Σ balances and the number of entries (both only grow with postings). */
export interface BranchTotals {
  balanceFen: number;
  entries: number;
}

export const sameTotals = (a: BranchTotals | undefined, b: BranchTotals | undefined) => (a?.balanceFen ?? 0) === (b?.balanceFen ?? 0) && (a?.entries ?? 0) === (b?.entries ?? 0);

/**
 * Branches whose Σ balances cannot be taken as matching their control totals from the scan alone:
 * the sums differ, or the totals moved between the run's start and its end (postings ran during the
 * scan, so the balances were read at different moments). Those are re-checked at a quiet point
 * before anything is raised.
 */
export function totalsToRecheck(branches: readonly string[], sums: Record<string, number>, atStart: Record<string, BranchTotals>, atEnd: Record<string, BranchTotals>): string[] {
  return branches.filter((b) => !sameTotals(atStart[b], atEnd[b]) || (sums[b] ?? 0) !== (atEnd[b]?.balanceFen ?? 0));
}

export interface BranchReconciliation {
  branch: string;
  accountsSumFen: number;
  controlTotalFen: number;
}

/** Σ account balances equals the fund's control totals, per branch: one finding for the fund, naming the branches that differ. */
export function reconcileTotals(scope: string, branches: readonly BranchReconciliation[]): FindingCandidate[] {
  const differing = branches.filter((b) => b.accountsSumFen !== b.controlTotalFen).map((b) => ({ ...b, differenceFen: b.accountsSumFen - b.controlTotalFen }));
  if (!differing.length) return [];
  const accountsSumFen = differing.reduce((s, b) => s + b.accountsSumFen, 0);
  const controlTotalFen = differing.reduce((s, b) => s + b.controlTotalFen, 0);
  return [{ rule: 'RECONCILIATION_TOTALS', severity: 'CRITICAL', subject: scope, evidence: { accountsSumFen, controlTotalFen, differenceFen: accountsSumFen - controlTotalFen, branches: differing } }];
}

export interface PropertyClaim {
  propertyCertificateNo: string;
  accountNo: string;
  claimedOn: string; // YYYY-MM-DD
  withdrawalId: string;
}

/** The same property used by people outside one household, or twice within `windowMonths`. */
export function propertyReuse(claims: readonly PropertyClaim[], windowMonths: number): FindingCandidate[] {
  const byProperty = new Map<string, PropertyClaim[]>();
  for (const c of claims) byProperty.set(c.propertyCertificateNo, [...(byProperty.get(c.propertyCertificateNo) ?? []), c]);
  const out: FindingCandidate[] = [];
  for (const [cert, list] of byProperty) {
    const sorted = [...list].sort((a, b) => a.claimedOn.localeCompare(b.claimedOn));
    const claimants = new Set(sorted.map((c) => c.accountNo));
    const within = sorted.some((c, i) => i > 0 && monthsApart(sorted[i - 1].claimedOn, c.claimedOn) < windowMonths);
    if (claimants.size > 1 || within) {
      out.push({
        rule: 'PROPERTY_REUSE',
        severity: 'HIGH',
        subject: cert,
        evidence: { claimants: [...claimants], claims: sorted.map((c) => ({ accountNo: c.accountNo, claimedOn: c.claimedOn, withdrawalId: c.withdrawalId })), outsideHousehold: claimants.size > 1, twiceWithinMonths: within ? windowMonths : undefined },
      });
    }
  }
  return out;
}

const monthsApart = (a: string, b: string) => (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + Number(b.slice(5, 7)) - Number(a.slice(5, 7)) - (Number(b.slice(8, 10)) < Number(a.slice(8, 10)) ? 1 : 0);

export interface RentFacts {
  accountNo: string;
  rentWithdrawals: { withdrawalId: string; paidOn: string }[];
  purchaseWithdrawalYears: number[];
  hasActiveLoan: boolean;
}

/** A rent withdrawal by someone with an active HPF loan, or with a purchase withdrawal in the same year. */
export function rentConflicts(f: RentFacts): FindingCandidate[] {
  const conflicts = f.rentWithdrawals.filter((r) => f.hasActiveLoan || f.purchaseWithdrawalYears.includes(Number(r.paidOn.slice(0, 4))));
  if (!conflicts.length) return [];
  return [{ rule: 'RENT_WITH_LOAN_OR_PURCHASE', severity: 'MEDIUM', subject: f.accountNo, evidence: { hasActiveLoan: f.hasActiveLoan, purchaseYears: f.purchaseWithdrawalYears, rentWithdrawals: conflicts } }];
}

export interface LoanOverdueFacts {
  loanId: string;
  consecutiveOverdue: number;
  cumulativeOverdue: number;
}

export function loanOverdue(l: LoanOverdueFacts, p: { consecutive: number; cumulative: number }): FindingCandidate[] {
  if (l.consecutiveOverdue < p.consecutive && l.cumulativeOverdue < p.cumulative) return [];
  return [{ rule: 'LOAN_OVERDUE', severity: 'HIGH', subject: l.loanId, evidence: { consecutiveOverdue: l.consecutiveOverdue, cumulativeOverdue: l.cumulativeOverdue, thresholds: p } }];
}

/** Deposits that stopped within `months` after a loan was disbursed. */
export function depositsStoppedAfterLoan(f: { accountNo: string; loanId: string; disbursedPeriod: string; lastPaidPeriod?: string; currentPeriod: string; deferred: boolean }, months: number): FindingCandidate[] {
  const idx = (p: string) => Number(p.slice(0, 4)) * 12 + Number(p.slice(5, 7));
  const last = f.lastPaidPeriod ? idx(f.lastPaidPeriod) : 0;
  const stoppedWithin = idx(f.currentPeriod) - last >= 2 && last - idx(f.disbursedPeriod) < months && !f.deferred;
  if (!stoppedWithin) return [];
  return [{ rule: 'DEPOSITS_STOPPED_AFTER_LOAN', severity: 'HIGH', subject: f.accountNo, evidence: { loanId: f.loanId, disbursedPeriod: f.disbursedPeriod, lastPaidPeriod: f.lastPaidPeriod ?? null } }];
}

/**
 * A unit with no remittance for `months` months and no deferral covering them. `lastFundedPeriod`
 * is the latest period whose remittance was paid (settled): a list created and never paid is no remittance.
 */
export function unitArrears(u: { unitId: string; lastFundedPeriod?: string; startPeriod: string; currentPeriod: string; deferredPeriods: readonly string[] }, months: number): FindingCandidate[] {
  const idx = (p: string) => Number(p.slice(0, 4)) * 12 + Number(p.slice(5, 7)) - 1;
  const per = (i: number) => `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
  const from = Math.max(u.lastFundedPeriod ? idx(u.lastFundedPeriod) + 1 : idx(u.startPeriod), idx(u.startPeriod));
  const missing: string[] = [];
  for (let i = from; i < idx(u.currentPeriod); i++) if (!u.deferredPeriods.includes(per(i))) missing.push(per(i));
  if (missing.length < months) return [];
  return [{ rule: 'UNIT_NO_REMITTANCE', severity: 'MEDIUM', subject: u.unitId, evidence: { lastFundedPeriod: u.lastFundedPeriod ?? null, missingPeriods: missing } }];
}

export interface LoanScheduleFacts {
  loanId: string;
  outstandingPrincipalFen: number;
  rows: { no: number; principalFen: number; interestFen: number; paidFen: number }[];
}

/** A loan's outstanding principal equals the principal its schedule still owes (interest is paid first). */
export function reconcileLoan(l: LoanScheduleFacts): FindingCandidate[] {
  const owedFen = l.rows.reduce((s, r) => s + r.principalFen - Math.min(r.principalFen, Math.max(0, r.paidFen - r.interestFen)), 0);
  if (owedFen === l.outstandingPrincipalFen) return [];
  return [{ rule: 'RECONCILIATION_LOAN', severity: 'CRITICAL', subject: l.loanId, evidence: { outstandingPrincipalFen: l.outstandingPrincipalFen, schedulePrincipalFen: owedFen, differenceFen: l.outstandingPrincipalFen - owedFen } }];
}
