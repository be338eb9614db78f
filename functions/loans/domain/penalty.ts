// Overdue (逾期, domain.md §4): penalty interest and the loan's risk class. Pure functions.
import { D, roundFen } from '../../../shared/money.ts';
import { assertFen, parseRate } from './amortization.ts';

export interface PenaltyInput {
  /** Overdue amount (unpaid installment amount), fen. */
  overdueAmountFen: number;
  /** The loan's annual rate, decimal string, e.g. '0.026'. */
  annualRate: string;
  /** Penalty multiplier, decimal string, e.g. '1.5'. */
  multiplier: string;
  /** Day-count basis, e.g. 360. */
  dayBasis: number;
  /** Days overdue (integer ≥ 0). */
  days: number;
}

/**
 * Penalty interest = round(overdue × annualRate × multiplier / dayBasis × days), rounded ONCE at the
 * end, half-up. The product is formed before the single division, so nothing is lost to precision.
 */
export function penaltyInterestFen(input: PenaltyInput): number {
  const { overdueAmountFen, annualRate, multiplier, dayBasis, days } = input;
  assertFen(overdueAmountFen, 'overdueAmountFen');
  if (!Number.isSafeInteger(days) || days < 0) throw new RangeError(`days must be an integer ≥ 0: ${days}`);
  if (!Number.isSafeInteger(dayBasis) || dayBasis < 1) throw new RangeError(`dayBasis must be an integer ≥ 1: ${dayBasis}`);
  const rate = parseRate(annualRate);
  const mult = parseRate(multiplier, 'multiplier');
  return roundFen(new D(overdueAmountFen).times(rate).times(mult).times(days).div(dayBasis));
}

/** JGJ/T 320 five-class loan risk classification (贷款风险分类). */
export type RiskClass = 'NORMAL' | 'WATCH' | 'SUBSTANDARD' | 'DOUBTFUL' | 'LOSS';

export interface OverdueHistory {
  /** The longest run of consecutive installments that were ever overdue, over the loan's life (not only a run still going on). */
  consecutiveOverdue: number;
  /** Cumulative overdue installments over the loan's life. */
  cumulativeOverdue: number;
  /** Days past due of the oldest installment that is still unpaid (0 when nothing is overdue). */
  maxDaysOverdue: number;
}

/**
 * Upper bounds (inclusive, in days past due) of each class, the common Chinese bank convention for
 * the five-class classification by days overdue:
 *   0 days → NORMAL (正常); 1–90 → WATCH (关注); 91–180 → SUBSTANDARD (次级);
 *   181–360 → DOUBTFUL (可疑); more than 360 → LOSS (损失).
 * The class depends on days overdue only; consecutiveOverdue / cumulativeOverdue drive the audit
 * finding (3 consecutive or 6 cumulative), not the class. Deferred (缓期) installments are not overdue
 * and must not be counted by the caller.
 */
export const RISK_CLASS_DAY_BOUNDS: ReadonlyArray<readonly [RiskClass, number]> = [
  ['NORMAL', 0],
  ['WATCH', 90],
  ['SUBSTANDARD', 180],
  ['DOUBTFUL', 360],
];

export function riskClass(history: OverdueHistory): RiskClass {
  const days = history.maxDaysOverdue;
  if (!Number.isSafeInteger(days) || days < 0) throw new RangeError(`maxDaysOverdue must be an integer ≥ 0: ${days}`);
  for (const [cls, upTo] of RISK_CLASS_DAY_BOUNDS) if (days <= upTo) return cls;
  return 'LOSS';
}

/**
 * Whether the overdue history raises an audit finding: consecutiveOverdue ≥ consecutiveThreshold or
 * cumulativeOverdue ≥ cumulativeThreshold (domain.md: 3 and 6; pass the policy's numbers).
 */
export function overdueAuditTriggered(
  history: Pick<OverdueHistory, 'consecutiveOverdue' | 'cumulativeOverdue'>,
  thresholds: { consecutive: number; cumulative: number },
): boolean {
  return history.consecutiveOverdue >= thresholds.consecutive || history.cumulativeOverdue >= thresholds.cumulative;
}
