// Electronic audit rules (电子稽查, domain.md §6), each a pure function over facts the stores provide.
// A finding is keyed by (rule, subject): the same fact found again is the same finding.
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
  entries: { amountFen: number; type: string; occurredAt: string; entryId: string }[];
}

export interface AccountRulePolicy {
  baseCapFen: number;
  minRatePercent: number;
  maxRatePercent: number;
  flexibleMinRatePercent: number;
  flexibleMaxRatePercent: number;
}

/** Reconciliation: the balance equals the sum of the entries, and the last entry's balanceAfter. */
export function reconcileAccount(a: AccountFacts): FindingCandidate[] {
  const entriesSumFen = a.entries.reduce((s, e) => s + e.amountFen, 0);
  if (entriesSumFen === a.balanceFen) return [];
  return [{ rule: 'RECONCILIATION_ACCOUNT', severity: 'CRITICAL', subject: a.accountNo, evidence: { balanceFen: a.balanceFen, entriesSumFen, differenceFen: a.balanceFen - entriesSumFen, entries: a.entries.length } }];
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
  const debits = a.entries.filter((e) => e.amountFen < 0 && (!a.statusSince || e.occurredAt >= a.statusSince));
  if (!debits.length) return [];
  return [{ rule: 'FROZEN_ACCOUNT_DEBIT', severity: 'HIGH', subject: a.accountNo, evidence: { frozenSince: a.statusSince, debits: debits.map((d) => ({ entryId: d.entryId, amountFen: d.amountFen, occurredAt: d.occurredAt })) } }];
}

/** Σ account balances equals the fund's control totals. */
export function reconcileTotals(scope: string, accountsSumFen: number, controlTotalFen: number): FindingCandidate[] {
  if (accountsSumFen === controlTotalFen) return [];
  return [{ rule: 'RECONCILIATION_TOTALS', severity: 'CRITICAL', subject: scope, evidence: { accountsSumFen, controlTotalFen, differenceFen: accountsSumFen - controlTotalFen } }];
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

/** A unit with no remittance for `months` months and no deferral covering them. */
export function unitArrears(u: { unitId: string; lastRemittedPeriod?: string; startPeriod: string; currentPeriod: string; deferredPeriods: readonly string[] }, months: number): FindingCandidate[] {
  const idx = (p: string) => Number(p.slice(0, 4)) * 12 + Number(p.slice(5, 7)) - 1;
  const per = (i: number) => `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
  const from = Math.max(u.lastRemittedPeriod ? idx(u.lastRemittedPeriod) + 1 : idx(u.startPeriod), idx(u.startPeriod));
  const missing: string[] = [];
  for (let i = from; i < idx(u.currentPeriod); i++) if (!u.deferredPeriods.includes(per(i))) missing.push(per(i));
  if (missing.length < months) return [];
  return [{ rule: 'UNIT_NO_REMITTANCE', severity: 'MEDIUM', subject: u.unitId, evidence: { lastRemittedPeriod: u.lastRemittedPeriod ?? null, missingPeriods: missing } }];
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
