// A partner center's full prepayment (跨省通办 FULL_PREPAYMENT, api.md v1.1), pure: when it is refused.
// The prepayment itself is our own full prepayment (usecases/repayments.ts planBankPrepayment).
import { fenToYuan } from '../../../shared/money.ts';
import type { Loan } from './loan.ts';

export interface PartnerPayoffRefusal {
  code: 'AMOUNT_MISMATCH' | 'NO_ACTIVE_LOAN';
  message: string;
}

/** NO_ACTIVE_LOAN unless `loan` exists, is the member's (borrower) and ACTIVE. */
export function partnerLoanRefusal(loan: Pick<Loan, 'accountNo' | 'status'> | undefined, input: { accountNo: string; loanId: string }): PartnerPayoffRefusal | undefined {
  if (loan && loan.accountNo === input.accountNo && loan.status === 'ACTIVE') return undefined;
  return { code: 'NO_ACTIVE_LOAN', message: `The member has no active loan ${input.loanId} / 该缴存人无此未结清贷款` };
}

/** AMOUNT_MISMATCH (naming the payoff amount) unless the amount is exactly the payoff amount of the day. */
export function payoffAmountRefusal(amountFen: number, payoffFen: number, today: string): PartnerPayoffRefusal | undefined {
  if (amountFen === payoffFen) return undefined;
  const payoff = fenToYuan(payoffFen);
  return { code: 'AMOUNT_MISMATCH', message: `The payoff amount on ${today} is ${payoff}, not ${fenToYuan(amountFen)} / ${today}结清金额为${payoff}元` };
}
