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
export const dayBefore = (date: string): string => new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
