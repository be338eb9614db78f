// Daily bank reconciliation (银行对账), pure: one special account's statement of one day against our
// movements on that account and day. Every line is matched to exactly one of our movements (by its
// reference: the bank's notificationId for an arrival, our paymentId for a payment) with the same
// direction and amount, and each of ours to a line. Every difference names the line or our record:
//   UNKNOWN_LINE        a line whose reference is none of our movements of the account and day
//   MISSING_LINE        one of our movements no line references
//   AMOUNT_MISMATCH     the only line(s) referencing ours disagree in amount (the first of them is named;
//   DIRECTION_MISMATCH  or in direction)                                   our record counts as answered)
//   DUPLICATE_LINE      a further line referencing a movement another line already answered
// Lines are taken in statement order; an exact line is preferred over a disagreeing one, whatever
// their order.
//
// Besides the statement, a run reports our old open items (agedSuspense, unsettledPayments): an OPEN
// suspense item or an ORDERED payment order whose age at the run's date reached its threshold
// (rules.ts), each its own finding.
import { addDays, businessDate, daysBetween } from '../../../shared/clock.ts';
import { PAYMENT_FINDING_DAYS, SUSPENSE_FINDING_DAYS } from './rules.ts';
import type { PaymentOrder, SuspenseItem } from './types.ts';

export type Direction = 'CREDIT' | 'DEBIT';

export interface StatementLineFacts {
  lineId: string;
  direction: Direction;
  amountFen: number;
  reference: string;
  valueDate: string;
}

/** One of our movements on the account that day: an arrival notice (CREDIT) or a settled payment (DEBIT). */
export interface OurMovement {
  kind: 'NOTICE' | 'PAYMENT';
  /** notificationId or paymentId: what the bank's line references. */
  id: string;
  direction: Direction;
  amountFen: number;
}

export type DifferenceKind = 'UNKNOWN_LINE' | 'MISSING_LINE' | 'AMOUNT_MISMATCH' | 'DIRECTION_MISMATCH' | 'DUPLICATE_LINE';

export interface Difference {
  kind: DifferenceKind;
  /** The line named (every kind but MISSING_LINE). */
  line?: StatementLineFacts;
  /** Our movement: named by MISSING_LINE, the one referenced otherwise (none for UNKNOWN_LINE). */
  ours?: OurMovement;
}

export interface MatchResult {
  matched: { line: StatementLineFacts; ours: OurMovement }[];
  differences: Difference[];
}

const agrees = (l: StatementLineFacts, o: OurMovement) => l.direction === o.direction && l.amountFen === o.amountFen;

export function matchStatement(lines: readonly StatementLineFacts[], ours: readonly OurMovement[]): MatchResult {
  const byId = new Map<string, OurMovement>();
  for (const o of ours) if (!byId.has(o.id)) byId.set(o.id, o);
  const linesByRef = new Map<string, StatementLineFacts[]>();
  const differences: Difference[] = [];
  for (const l of lines) {
    if (!byId.has(l.reference)) {
      differences.push({ kind: 'UNKNOWN_LINE', line: l });
      continue;
    }
    const list = linesByRef.get(l.reference) ?? [];
    list.push(l);
    linesByRef.set(l.reference, list);
  }
  const matched: MatchResult['matched'] = [];
  for (const o of byId.values()) {
    const candidates = linesByRef.get(o.id) ?? [];
    if (!candidates.length) {
      differences.push({ kind: 'MISSING_LINE', ours: o });
      continue;
    }
    const exact = candidates.find((l) => agrees(l, o));
    const answer = exact ?? candidates[0]!;
    if (exact) matched.push({ line: exact, ours: o });
    else differences.push({ kind: answer.direction !== o.direction ? 'DIRECTION_MISMATCH' : 'AMOUNT_MISMATCH', line: answer, ours: o });
    for (const l of candidates) if (l !== answer) differences.push({ kind: 'DUPLICATE_LINE', line: l, ours: o });
  }
  return { matched, differences };
}

/** The finding's subject of a difference: the line (bank, account, lineId) or our record. */
export function differenceSubject(bankCode: string, accountNo: string, d: Difference): string {
  if (d.line) return `${bankCode}:${accountNo}:LINE:${d.line.lineId}`;
  return d.ours!.kind === 'NOTICE' ? `${bankCode}:NOTICE:${d.ours!.id}` : `PAYMENT:${d.ours!.id}`;
}

/** The day before a business date (the schedule reconciles yesterday). */
export const dayBefore = (date: string): string => addDays(date, -1);

// ---------- old open items ----------

export type AgedKind = 'AGED_SUSPENSE' | 'UNSETTLED_PAYMENT';

/** An open item old enough to be a finding: an OPEN suspense item or an ORDERED payment order. */
export interface AgedItem {
  kind: AgedKind;
  /** itemId or paymentId. */
  id: string;
  bankCode: string;
  /** The account it arrived on (suspense) or leaves from (payment). */
  accountNo: string;
  amountFen: number;
  /** The business date it began (arrival, order). */
  since: string;
  /** Calendar days from `since` to the run's date. */
  ageDays: number;
}

/**
 * The latest business date an item may have begun on and be old at `runDate` with threshold `days`.
 * A store query by instant may use any bound after that day's end (the exact day is checked here).
 */
export const agedSince = (runDate: string, days: number): string => addDays(runDate, -days);

const aged = <T>(xs: readonly T[], runDate: string, days: number, open: (x: T) => boolean, began: (x: T) => string, item: (x: T, since: string, ageDays: number) => AgedItem): AgedItem[] =>
  xs.flatMap((x) => {
    if (!open(x)) return [];
    const since = businessDate(began(x));
    const ageDays = daysBetween(since, runDate);
    return ageDays >= days ? [item(x, since, ageDays)] : [];
  });

/** Suspense items still OPEN that arrived `days` or more calendar days before `runDate`, in the given order. */
export const agedSuspense = (items: readonly Pick<SuspenseItem, 'itemId' | 'bankCode' | 'accountNo' | 'amountFen' | 'status' | 'receivedAt'>[], runDate: string, days: number = SUSPENSE_FINDING_DAYS): AgedItem[] =>
  aged(items, runDate, days, (s) => s.status === 'OPEN', (s) => s.receivedAt, (s, since, ageDays) => ({ kind: 'AGED_SUSPENSE', id: s.itemId, bankCode: s.bankCode, accountNo: s.accountNo, amountFen: s.amountFen, since, ageDays }));

/** Payment orders still ORDERED (no result) ordered `days` or more calendar days before `runDate`, in the given order. */
export const unsettledPayments = (orders: readonly Pick<PaymentOrder, 'paymentId' | 'bankCode' | 'fromAccountNo' | 'amountFen' | 'status' | 'orderedAt'>[], runDate: string, days: number = PAYMENT_FINDING_DAYS): AgedItem[] =>
  aged(orders, runDate, days, (p) => p.status === 'ORDERED', (p) => p.orderedAt, (p, since, ageDays) => ({ kind: 'UNSETTLED_PAYMENT', id: p.paymentId, bankCode: p.bankCode, accountNo: p.fromAccountNo, amountFen: p.amountFen, since, ageDays }));

/**
 * The finding's subject of an old item: the suspense item, or the order as unsettled (not `PAYMENT:<id>`,
 * the subject of a settled order's missing line: a different fact about the same order).
 */
export const agedSubject = (a: Pick<AgedItem, 'kind' | 'id'>): string => (a.kind === 'AGED_SUSPENSE' ? `SUSPENSE:${a.id}` : `PAYMENT:${a.id}:UNSETTLED`);
