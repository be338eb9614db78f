// Fund indicators (domain.md §6), pure: from control totals and period flows to the API's figures.
import { D } from '../../../shared/money.ts';

export interface IndicatorInputs {
  depositBalanceFen: number;
  /** 贷款余额: Σ outstanding principal of the loans (the loans domain's totals). */
  loanBalanceFen: number;
  /** Principal of the installments actually overdue (the loans domain's totals). */
  overduePrincipalFen: number;
  /** Period amounts (fen) per entry type and fund flow, as the ledger's periodFlows returns them. */
  periodFlows: Record<string, number>;
  contributors: number;
  units: number;
  /** Satisfaction ratings of the period: how many and the sum of their scores. */
  ratings: { count: number; scoreSum: number };
}

export interface Thresholds {
  personalLoanRatioWarning: string; // fraction, e.g. '0.85'
  personalLoanRatioAlert: string;
}

export interface Indicators {
  depositBalanceFen: number;
  loanBalanceFen: number;
  /** Fraction with full precision (null when there are no deposits). */
  personalLoanRatio: string | null;
  surplusFundsFen: number;
  netFlow: { inflowFen: number; outflowFen: number; netFen: number };
  overdueRate: string | null;
  contributors: number;
  units: number;
  newDepositors: number;
  satisfaction: { ratings: number; average: string | null };
  warnings: { indicator: string; level: 'WARNING' | 'ALERT'; threshold: string }[];
}

const sum = (flows: Record<string, number>, keys: readonly string[]) => keys.reduce((s, k) => s + (flows[k] ?? 0), 0);

/** Money in: contributions and transfers in, loan repayments (principal, interest, penalty). */
export const INFLOW_KEYS = ['REMITTANCE', 'BACKPAY', 'DEPOSIT', 'TRANSFER_IN', 'LOAN_REPAYMENT', 'LOAN_INTEREST', 'PENALTY_INTEREST'] as const;
/** Money out: withdrawals, transfers out and offsets (signed negative in the ledger), disbursements. */
export const OUTFLOW_DEBIT_KEYS = ['WITHDRAWAL', 'TRANSFER_OUT', 'LOAN_OFFSET'] as const;

export function computeIndicators(x: IndicatorInputs, t: Thresholds): Indicators {
  const loanBalanceFen = x.loanBalanceFen;
  const ratio = x.depositBalanceFen > 0 ? new D(loanBalanceFen).div(x.depositBalanceFen) : null;
  const inflowFen = sum(x.periodFlows, INFLOW_KEYS);
  // an offset is a debit of the account and a repayment of the loan: both sides are counted
  const outflowFen = -sum(x.periodFlows, OUTFLOW_DEBIT_KEYS) + (x.periodFlows.LOAN_DISBURSEMENT ?? 0);
  const warnings: Indicators['warnings'] = [];
  if (ratio && ratio.gte(t.personalLoanRatioAlert)) warnings.push({ indicator: 'personalLoanRatio', level: 'ALERT', threshold: t.personalLoanRatioAlert });
  else if (ratio && ratio.gte(t.personalLoanRatioWarning)) warnings.push({ indicator: 'personalLoanRatio', level: 'WARNING', threshold: t.personalLoanRatioWarning });
  return {
    depositBalanceFen: x.depositBalanceFen,
    loanBalanceFen,
    personalLoanRatio: ratio ? ratio.toString() : null,
    surplusFundsFen: x.depositBalanceFen - loanBalanceFen,
    netFlow: { inflowFen, outflowFen, netFen: inflowFen - outflowFen },
    overdueRate: loanBalanceFen > 0 ? new D(x.overduePrincipalFen).div(loanBalanceFen).toString() : null,
    contributors: x.contributors,
    units: x.units,
    newDepositors: x.periodFlows.newAccounts ?? 0,
    satisfaction: satisfactionOf(x.ratings),
    warnings,
  };
}

/** A fraction as an API percentage: half-up to two decimals, no trailing zeros ("87.5"). */
export const percentOf = (fraction: string | null) => (fraction === null ? null : new D(fraction).times(100).toDecimalPlaces(2).toString());

/** The period's ratings and their mean score, half-up to two decimals ("4.50"); null when none. */
export const satisfactionOf = (r: { count: number; scoreSum: number }) => ({
  ratings: r.count,
  average: r.count > 0 ? new D(r.scoreSum).div(r.count).toFixed(2, D.ROUND_HALF_UP) : null,
});
