// Collection rules (domain.md §2), pure: contribution shares, base range, ratios per period, the
// remittance list and its chunks, periods a remittance may cover, the interest year to settle.
// Every number comes from the policy passed in (shared/policy.ts); nothing here does I/O.
import { D, roundFen } from '../../../shared/money.ts';
import { fail, type FieldError } from '../../../shared/errors.ts';
import { addMonths, periodOf } from '../../../shared/clock.ts';
import type { Policy } from '../../../shared/policy.ts';
import type { Account } from '../../../shared/ledger/account.ts';
import type { BaseChange, Employment, RatePeriod, RemittanceKind, RemittanceLine, Stint, Unit } from './types.ts';

/** round(base × ratio%) half-up to the fen. */
export const shareFen = (baseFen: number, ratePercent: number): number => roundFen(new D(baseFen).times(ratePercent).div(100));

export function monthlyShares(baseFen: number, employerRatePercent: number, employeeRatePercent: number) {
  const employerFen = shareFen(baseFen, employerRatePercent);
  const employeeFen = shareFen(baseFen, employeeRatePercent);
  return { employerFen, employeeFen, monthlyFen: employerFen + employeeFen };
}

/**
 * The base must lie within [floor, cap] of the policy in force. A base outside is a well-formed
 * amount that the policy refuses, so it is a 422 POLICY_VIOLATION (not 400), never clamped.
 */
export function baseProblem(baseFen: number, policy: Policy): string | undefined {
  const { floorFen, capFen } = policy.base;
  if (baseFen < floorFen || baseFen > capFen) return `monthly base must be between ${floorFen / 100} and ${capFen / 100} yuan / 缴存基数须在下限与上限之间`;
  return undefined;
}

export function assertBaseInRange(baseFen: number, policy: Policy, path = 'monthlyBase') {
  const problem = baseProblem(baseFen, policy);
  if (problem) fail('POLICY_VIOLATION', problem, [{ path, message: problem }]);
}

/** Refuses with one POLICY_VIOLATION listing every problem. */
export function assertNoProblems(errors: FieldError[], detail: string) {
  if (errors.length) fail('POLICY_VIOLATION', detail, errors);
}

/** The ratios in force for a period: the newest history entry starting on or before it. */
export function ratesFor(history: readonly RatePeriod[], period: string): RatePeriod {
  let found = history[0];
  for (const r of history) if (r.fromPeriod <= period) found = r;
  return found;
}

export const currentRates = (unit: Pick<Unit, 'rateHistory'>): RatePeriod => unit.rateHistory[unit.rateHistory.length - 1];

/** A ratio change takes effect from the next unpaid period: after the last remitted one, not before the start. */
export function nextUnpaidPeriod(unit: Pick<Unit, 'startPeriod' | 'lastRemittedPeriod'>): string {
  if (!unit.lastRemittedPeriod) return unit.startPeriod;
  const next = addMonths(unit.lastRemittedPeriod, 1);
  return next > unit.startPeriod ? next : unit.startPeriod;
}

/** The rate history after a change of ratios: the new entry replaces one starting the same period. */
export function withRateChange(unit: Pick<Unit, 'rateHistory' | 'startPeriod' | 'lastRemittedPeriod'>, change: { employerRatePercent?: number; employeeRatePercent?: number }): RatePeriod[] {
  const from = nextUnpaidPeriod(unit);
  const current = currentRates(unit);
  const entry: RatePeriod = {
    fromPeriod: from,
    employerRatePercent: change.employerRatePercent ?? current.employerRatePercent,
    employeeRatePercent: change.employeeRatePercent ?? current.employeeRatePercent,
  };
  return [...unit.rateHistory.filter((r) => r.fromPeriod < from), entry];
}

/**
 * Which periods a remittance may cover: not before the unit's start; a REGULAR one not after the
 * current period; a BACKPAY (补缴) only for a past period (missed or deferred).
 */
export function assertRemittablePeriod(unit: Pick<Unit, 'startPeriod'>, period: string, kind: RemittanceKind, currentPeriod: string) {
  if (period < unit.startPeriod) fail('POLICY_VIOLATION', `Period ${period} is before the unit's start ${unit.startPeriod} / 期间早于单位起缴期间`, [{ path: 'period', message: 'before the unit start period' }]);
  if (kind === 'REGULAR' && period > currentPeriod) fail('POLICY_VIOLATION', `Period ${period} has not begun / 期间尚未开始`, [{ path: 'period', message: 'future period' }]);
  if (kind === 'BACKPAY' && period >= currentPeriod) fail('POLICY_VIOLATION', `Back-pay is for a past period / 补缴须为以往期间`, [{ path: 'period', message: 'back-pay needs a past period' }]);
}

export interface Employee {
  accountNo: string;
  status: string;
  monthlyBaseFen: number;
  startPeriod: string;
}

/** The list (清册) for a period: the unit's NORMAL employees owed for it, each share rounded. */
export function remittanceLines(employees: readonly Employee[], rates: RatePeriod, period: string): RemittanceLine[] {
  return linesOf(employees.filter((e) => e.status === 'NORMAL' && e.startPeriod <= period), rates);
}

/** One line per listed employee at their base, sorted by account number, each share rounded. */
export function linesOf(roll: readonly { accountNo: string; monthlyBaseFen: number }[], rates: RatePeriod): RemittanceLine[] {
  return [...roll]
    .sort((a, b) => (a.accountNo < b.accountNo ? -1 : 1))
    .map((e) => {
      const { employerFen, employeeFen } = monthlyShares(e.monthlyBaseFen, rates.employerRatePercent, rates.employeeRatePercent);
      return { accountNo: e.accountNo, employerFen, employeeFen };
    });
}

// ---------- employment history ----------

/** The last period a sealed employee is owed for: the one before the month of the seal. */
export const lastPeriodBeforeSeal = (sealedOn: string): string => addMonths(periodOf(sealedOn), -1);

/** The spells of an employment (a record from before the history: one open spell from its start). */
export const stintsOf = (e: Employment): Stint[] => e.stints ?? [{ fromPeriod: e.startPeriod, hiredOn: e.hiredOn }];

/** The account's employment record, or for an account hired before the history: one open spell from the unit's start. */
export const employmentOr = (record: Employment | undefined, unit: Pick<Unit, 'unitId' | 'startPeriod'>, account: Pick<Account, 'accountNo' | 'openedOn'>): Employment =>
  record ?? { unitId: unit.unitId, accountNo: account.accountNo, startPeriod: unit.startPeriod, hiredOn: account.openedOn };

/** Was the account employed by the unit in the period (within one of its spells)? */
export const employedIn = (e: Employment, period: string): boolean => stintsOf(e).some((s) => s.fromPeriod <= period && (s.toPeriod === undefined || period <= s.toPeriod));

/** The base in force in a period: the newest history entry from on or before it (else the earliest, else `fallbackFen`). */
export function baseIn(e: Employment, period: string, fallbackFen: number): number {
  const history = e.baseHistory ?? [];
  let found: number | undefined;
  for (const b of history) if (b.fromPeriod <= period) found = b.monthlyBaseFen;
  return found ?? history[0]?.monthlyBaseFen ?? fallbackFen;
}

/** The history after a base change from `fromPeriod` (it replaces entries starting then or later). */
export const withBase = (history: readonly BaseChange[], change: BaseChange): BaseChange[] => [...history.filter((b) => b.fromPeriod < change.fromPeriod), change];

/** The employment after a hire (a first one, or a re-hire after a seal: a new spell). */
export function withHire(prev: Employment | undefined, hire: { unitId: string; accountNo: string; startPeriod: string; hiredOn: string; monthlyBaseFen: number }): Employment {
  const stints = [...(prev ? stintsOf(prev) : []), { fromPeriod: hire.startPeriod, hiredOn: hire.hiredOn }];
  return {
    unitId: hire.unitId,
    accountNo: hire.accountNo,
    startPeriod: hire.startPeriod,
    hiredOn: hire.hiredOn,
    stints,
    baseHistory: withBase(prev?.baseHistory ?? [], { fromPeriod: hire.startPeriod, monthlyBaseFen: hire.monthlyBaseFen }),
  };
}

/** The employment after a seal on `sealedOn`: the open spell ends with the period before that month. */
export function withSeal(e: Employment, sealedOn: string): Employment {
  const toPeriod = lastPeriodBeforeSeal(sealedOn);
  return { ...e, stints: stintsOf(e).map((s) => (s.toPeriod === undefined ? { ...s, toPeriod, sealedOn } : s)) };
}

/** Is the account an active employee of the unit now: NORMAL under it, or FROZEN from NORMAL (still employed, still owed)? */
export const activeUnder = (a: Pick<Account, 'unitId' | 'status' | 'freeze'>, unitId: string): boolean =>
  a.unitId === unitId && (a.status === 'NORMAL' || (a.status === 'FROZEN' && a.freeze?.previousStatus === 'NORMAL'));

export interface RollEntry {
  accountNo: string;
  monthlyBaseFen: number;
}

/**
 * Who a REGULAR list holds: the unit's active employees (frozen ones too: credits post while frozen)
 * employed in the period, at the base in force then. Accounts without an employment record (opened
 * before the history) owe from the unit's start at their current base.
 */
export function regularRoll(unitId: string, period: string, accountsOfUnit: readonly Account[], employments: ReadonlyMap<string, Employment>): RollEntry[] {
  return accountsOfUnit.flatMap((a) => {
    if (!activeUnder(a, unitId)) return [];
    const e = employments.get(a.accountNo);
    if (!e) return [{ accountNo: a.accountNo, monthlyBaseFen: a.monthlyBaseFen }];
    return employedIn(e, period) ? [{ accountNo: a.accountNo, monthlyBaseFen: baseIn(e, period, a.monthlyBaseFen) }] : [];
  });
}

/**
 * Who a BACKPAY (补缴) list holds (api.md 1.1): every employee who was active under the unit in the
 * original period, at the base in force then, including those sealed since (credited, they stay
 * sealed) or now employed elsewhere; not a CLOSED account (nothing can be credited to it).
 */
export function backpayRoll(unitId: string, period: string, accounts: ReadonlyMap<string, Account>, employments: ReadonlyMap<string, Employment>): RollEntry[] {
  const roll: RollEntry[] = [];
  for (const e of employments.values()) {
    const a = accounts.get(e.accountNo);
    if (!a || a.status === 'CLOSED' || !employedIn(e, period)) continue;
    roll.push({ accountNo: a.accountNo, monthlyBaseFen: baseIn(e, period, a.monthlyBaseFen) });
  }
  for (const a of accounts.values()) if (!employments.has(a.accountNo) && activeUnder(a, unitId)) roll.push({ accountNo: a.accountNo, monthlyBaseFen: a.monthlyBaseFen });
  return roll;
}

/**
 * Lines per chunk: one chunk posts in one transaction of ≤ 100 items — per line the account and its
 * entry (2 items), plus the chunk flag, the remittance progress, and per branch a control-total and a
 * period-flow shard: 2 × 40 + 2 + 2 = 84, leaving room for lines whose account has since moved to
 * another branch (each such branch adds 2 items).
 */
export const LINES_PER_CHUNK = 40;

export function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export const lineFen = (l: RemittanceLine) => l.employerFen + l.employeeFen;
export const totalFen = (lines: readonly RemittanceLine[]) => lines.reduce((s, l) => s + lineFen(l), 0);

/** Do two period ranges [from, to] share a month? */
export const overlaps = (a: { fromPeriod: string; toPeriod: string }, b: { fromPeriod: string; toPeriod: string }) => a.fromPeriod <= b.toPeriod && b.fromPeriod <= a.toPeriod;

/**
 * The interest year whose settlement date (policy: June 30) is the latest on or before `date`:
 * year Y covers (Y−1)-07-01 … Y-06-30.
 */
export function lastSettledYearOn(date: string, policy: Policy): number {
  const year = Number(date.slice(0, 4));
  const md = `${String(policy.interest.settlementMonth).padStart(2, '0')}-${String(policy.interest.settlementDay).padStart(2, '0')}`;
  return date.slice(5) >= md ? year : year - 1;
}

/** A year can be settled once its June 30 has come, and not before the deposit-rate regime. */
export function assertSettleableYear(year: number, today: string, policy: Policy) {
  const latest = lastSettledYearOn(today, policy);
  const first = Number(policy.interest.effectiveFrom.slice(0, 4));
  if (year > latest) fail('POLICY_VIOLATION', `Interest year ${year} ends on June 30 ${year}, which has not come / 结息年度尚未结束`, [{ path: 'year', message: 'year not finished' }]);
  if (year < first) fail('POLICY_VIOLATION', `No deposit-rate policy for year ${year} / 该年度无利率政策`, [{ path: 'year', message: 'before the rate policy' }]);
}

/** Flexible accounts opened by the member online or by city-level staff belong to the center itself. */
export const CENTER_BRANCH = 'CENTER';

export const interestRunId = (year: number) => `INT-${year}`;
export const yearOfRunId = (runId: string): number | undefined => {
  const m = /^INT-([0-9]{4})$/.exec(runId);
  return m ? Number(m[1]) : undefined;
};

/**
 * How long a paced worker waits after `done` items in `elapsedMs`, to keep to `perSecond` items a
 * second over its batch (0 when it is behind). Pure.
 */
export const paceDelayMs = (done: number, elapsedMs: number, perSecond: number): number => Math.max(0, Math.ceil((done * 1000) / perSecond - elapsedMs));
