// The personal account and its money rules, pure: balances, postings, interest accrual (积数法).
import { D, roundFen } from '../money.ts';
import { daysBetween } from '../clock.ts';
import { DomainError } from '../errors.ts';
import { chainEntries } from './chain.ts';

export type AccountStatus = 'NORMAL' | 'SEALED' | 'CLOSED' | 'FROZEN';
/** JGJ/T 320 account status codes. CLOSED is 04 (transferred out) or 05 (withdrawn and closed). */
export const accountStatusCode: Record<AccountStatus, string> = { NORMAL: '01', SEALED: '02', CLOSED: '04', FROZEN: '06' };

export type EntryType =
  | 'REMITTANCE'
  | 'BACKPAY'
  | 'DEPOSIT'
  | 'INTEREST'
  | 'WITHDRAWAL'
  | 'LOAN_OFFSET'
  | 'TRANSFER_IN'
  | 'TRANSFER_OUT'
  | 'REVERSAL';

export const entryTypes: readonly EntryType[] = ['REMITTANCE', 'BACKPAY', 'DEPOSIT', 'INTEREST', 'WITHDRAWAL', 'LOAN_OFFSET', 'TRANSFER_IN', 'TRANSFER_OUT', 'REVERSAL'];

/** A judicial or audit freeze (司法冻结) on the account: what it names and the status it suspends. */
export interface AccountFreeze {
  reason: string;
  /** The authority that ordered it (court, audit office …). */
  authority: string;
  documentNo: string;
  /** The status the account returns to when unfrozen. */
  previousStatus: 'NORMAL' | 'SEALED';
  /** Who recorded it (JWT `sub`) and when (ISO timestamp). */
  by: string;
  at: string;
}

export interface Account {
  accountNo: string;
  idNumber: string;
  name: string;
  kind: 'EMPLOYEE' | 'FLEXIBLE';
  unitId?: string;
  branch: string;
  status: AccountStatus;
  /** JGJ/T 320 code of the status (04 transferred out, 05 withdrawn and closed …). */
  statusCode: string;
  /** When the account entered its status (audit: debits on a frozen account). */
  statusSince?: string;
  /** Set while the account is FROZEN: the freeze's facts and the status before it. */
  freeze?: AccountFreeze;
  monthlyBaseFen: number;
  /** Employer and employee whole percents (flexible accounts: employee = the chosen combined rate, employer 0). */
  employerRatePercent: number;
  employeeRatePercent: number;
  monthlyAmountFen: number;
  balanceFen: number;
  /** Sequence number of the last entry. */
  version: number;
  /** Optimistic-concurrency revision: +1 on every write of the account (postings or changes alone). */
  rev?: number;
  /** Head of the entries' hash chain (chain.ts): hash and seq of the last hashed entry; absent before the first. */
  chainHash?: string;
  chainSeq?: number;
  /** Interest year being accrued: year Y runs from (Y−1)-07-01 to Y-06-30. */
  accrualYear: number;
  /** Σ balance × days (fen·days) in the current interest year up to `accrualDate`. */
  accrualFenDays: number;
  accrualDate: string;
  /** Finished interest years not yet settled: year → fen·days. */
  unsettledAccruals: Record<string, number>;
  lastPaidPeriod?: string;
  /** Periods credited by contributions (REMITTANCE, BACKPAY, DEPOSIT), as sorted ranges "YYYY-MM:YYYY-MM". */
  paidPeriods: string[];
  openedOn: string;
  closedOn?: string;
  createdAt: string;
  updatedAt: string;
}

export interface Posting {
  /** Signed: credits positive, debits negative. Never zero. */
  amountFen: number;
  type: EntryType;
  /** The business record behind it (remittance id, withdrawal id …). */
  ref: string;
  period?: string;
  /** Business date the balance changes (interest accrues from it). */
  valueDate: string;
  /** Deterministic key: the ledger refuses a second posting with the same key on the account. */
  entryKey?: string;
  memo?: string;
}

export interface Entry {
  entryId: string;
  accountNo: string;
  seq: number;
  type: EntryType;
  amountFen: number;
  balanceAfterFen: number;
  period?: string;
  ref: string;
  valueDate: string;
  occurredAt: string;
  branch: string;
  entryKey?: string;
  memo?: string;
  /** Hash chain (chain.ts): the previous entry's hash (the genesis value for the first) and this entry's. Absent on entries written before the chain existed. */
  prevHash?: string;
  hash?: string;
}

/** Interest year of a date: the year whose June 30 ends the period containing it. */
export const interestYearOf = (date: string): number => Number(date.slice(0, 4)) + (Number(date.slice(5, 7)) >= 7 ? 1 : 0);
/** First day after interest year Y (the settlement value date). */
export const interestYearEnd = (year: number): string => `${year}-07-01`;

/** Brings the 积数 up to `date`, closing finished interest years into `unsettledAccruals`. Pure. */
export function accrue(a: Pick<Account, 'balanceFen' | 'accrualYear' | 'accrualFenDays' | 'accrualDate' | 'unsettledAccruals'>, date: string) {
  let { accrualYear, accrualFenDays, accrualDate } = a;
  const unsettled = { ...a.unsettledAccruals };
  while (interestYearOf(date) > accrualYear) {
    const end = interestYearEnd(accrualYear);
    accrualFenDays += a.balanceFen * Math.max(0, daysBetween(accrualDate, end));
    unsettled[String(accrualYear)] = (unsettled[String(accrualYear)] ?? 0) + accrualFenDays;
    accrualYear += 1;
    accrualFenDays = 0;
    accrualDate = end;
  }
  const days = daysBetween(accrualDate, date);
  if (days > 0) {
    accrualFenDays += a.balanceFen * days;
    accrualDate = date;
  }
  return { accrualYear, accrualFenDays, accrualDate, unsettledAccruals: unsettled };
}

/**
 * interest = round(Σ balance·days × rate / dayBasis), half-up to the fen; never negative. (A debit
 * value-dated before the credits that funded it subtracts days the money was not yet there, which
 * can leave Σ balance·days below zero; deposit interest is never charged back, so that is 0 interest,
 * not a smaller payout that would leave part of a closing balance behind.)
 */
export const interestOnFenDays = (fenDays: number, annualRate: string, dayBasis: number): number =>
  fenDays <= 0 ? 0 : roundFen(new D(fenDays).times(annualRate).div(dayBasis));

const CONTRIBUTION_TYPES = new Set<EntryType>(['REMITTANCE', 'BACKPAY', 'DEPOSIT']);

const periodIndex = (p: string) => Number(p.slice(0, 4)) * 12 + Number(p.slice(5, 7)) - 1;
const periodOfIndex = (i: number) => `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;

/** Adds a period to sorted, merged ranges "YYYY-MM:YYYY-MM". Pure. */
export function addPeriod(ranges: readonly string[], period: string): string[] {
  const spans = ranges.map((r) => r.split(':').map(periodIndex) as [number, number]);
  const p = periodIndex(period);
  spans.push([p, p]);
  spans.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s[0] <= last[1] + 1) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  return merged.map(([a, b]) => `${periodOfIndex(a)}:${periodOfIndex(b)}`);
}

/** Is the period inside one of the ranges? */
export const inRanges = (ranges: readonly string[], period: string) =>
  ranges.some((r) => {
    const [a, b] = r.split(':');
    return period >= a && period <= b;
  });

/**
 * Consecutive months up to and including `asOfPeriod` that were contributed or deferred (缓缴 months
 * count as continuous). Walks back from `asOfPeriod`; if that month is not yet paid, starts from the
 * month before (the current month may not be due yet).
 */
export function consecutiveDepositMonths(paidPeriods: readonly string[], deferredPeriods: readonly string[], asOfPeriod: string): number {
  const covered = (i: number) => inRanges(paidPeriods, periodOfIndex(i)) || inRanges(deferredPeriods, periodOfIndex(i));
  let i = periodIndex(asOfPeriod);
  if (!covered(i)) i -= 1;
  let n = 0;
  while (covered(i)) {
    n++;
    i--;
  }
  return n;
}

export const creditsAllowed = (s: AccountStatus) => s !== 'CLOSED';
export const debitsAllowed = (s: AccountStatus) => s === 'NORMAL' || s === 'SEALED';

/**
 * Applies postings to an account (pure): checks status and balance, keeps the 积数 and returns the
 * new account state and the entries, each linked into the account's hash chain (chain.ts) with the
 * account's head moved to the last. Throws a DomainError when a rule refuses.
 */
export function applyPostings(account: Account, postings: readonly Posting[], occurredAt: string, newEntryId: (seq: number) => string) {
  let state = { ...account, unsettledAccruals: { ...account.unsettledAccruals } };
  const entries: Entry[] = [];
  for (const p of postings) {
    if (!Number.isSafeInteger(p.amountFen) || p.amountFen === 0) throw new Error(`posting amount must be a non-zero integer of fen: ${p.amountFen}`);
    // the status is checked before the balance: a debit on a FROZEN account is INVALID_STATE even when it would also overdraw
    if (p.amountFen > 0 && !creditsAllowed(state.status)) throw new DomainError('INVALID_STATE', `Account ${state.accountNo} is ${state.status}: no credits / 账户状态不允许入账`);
    if (p.amountFen < 0 && !debitsAllowed(state.status)) throw new DomainError('INVALID_STATE', `Account ${state.accountNo} is ${state.status}: no debits / 账户状态不允许支取`);
    const balanceAfterFen = state.balanceFen + p.amountFen;
    if (balanceAfterFen < 0) throw new DomainError('INSUFFICIENT_BALANCE', `Balance ${state.balanceFen} fen is less than ${-p.amountFen} fen / 余额不足`);
    const accrual = accrue(state, p.valueDate);
    // A value date before the accrual date (back-dated) credits the missed days to the 积数 too.
    const backDays = Math.max(0, daysBetween(p.valueDate, accrual.accrualDate));
    const seq = state.version + 1;
    const paidPeriods = p.period && p.amountFen > 0 && CONTRIBUTION_TYPES.has(p.type) ? addPeriod(state.paidPeriods ?? [], p.period) : state.paidPeriods ?? [];
    state = { ...state, ...accrual, paidPeriods, accrualFenDays: accrual.accrualFenDays + p.amountFen * backDays, balanceFen: balanceAfterFen, version: seq, updatedAt: occurredAt };
    entries.push({
      entryId: newEntryId(seq),
      accountNo: state.accountNo,
      seq,
      type: p.type,
      amountFen: p.amountFen,
      balanceAfterFen,
      period: p.period,
      ref: p.ref,
      valueDate: p.valueDate,
      occurredAt,
      branch: state.branch,
      entryKey: p.entryKey,
      memo: p.memo,
    });
  }
  // each entry linked to the previous one (the account's head first): the head moves with the version
  const chained = chainEntries(account.accountNo, account, entries);
  return { account: { ...state, ...chained.head }, entries: chained.entries };
}

/**
 * Interest to `date` as postings-to-be: every unsettled finished year plus the current year to date.
 * Used when an account closes or moves out (结息 to date), and by the annual settlement (`onlyYear`).
 */
export function interestDue(account: Account, date: string, rate: { annualRate: string; dayBasis: number }, onlyYear?: number) {
  const accrual = accrue(account, date);
  const years = Object.entries(accrual.unsettledAccruals).filter(([y]) => onlyYear === undefined || Number(y) === onlyYear);
  let interestFen = years.reduce((s, [, fenDays]) => s + interestOnFenDays(fenDays, rate.annualRate, rate.dayBasis), 0);
  const unsettled = { ...accrual.unsettledAccruals };
  for (const [y] of years) delete unsettled[y];
  let accrualFenDays = accrual.accrualFenDays;
  if (onlyYear === undefined) {
    interestFen += interestOnFenDays(accrual.accrualFenDays, rate.annualRate, rate.dayBasis);
    accrualFenDays = 0;
  }
  return { interestFen, accrual: { ...accrual, unsettledAccruals: unsettled, accrualFenDays }, years: years.map(([y]) => Number(y)) };
}

/**
 * The account with interest settled up to `date` (or only for finished year `onlyYear`): the 积数
 * consumed, and the INTEREST posting to apply (undefined when the interest is zero).
 */
export function withInterestSettled(account: Account, date: string, rate: { annualRate: string; dayBasis: number }, ref: string, onlyYear?: number) {
  const due = interestDue(account, date, rate, onlyYear);
  const settled: Account = { ...account, ...due.accrual };
  const valueDate = onlyYear === undefined ? date : interestYearEnd(onlyYear);
  const posting: Posting | undefined =
    due.interestFen > 0
      ? { amountFen: due.interestFen, type: 'INTEREST', ref, valueDate, entryKey: onlyYear === undefined ? undefined : `INTEREST-${onlyYear}`, memo: onlyYear === undefined ? `interest to ${date}` : `interest year ${onlyYear}` }
      : undefined;
  return { account: settled, posting, years: due.years, interestFen: due.interestFen };
}
