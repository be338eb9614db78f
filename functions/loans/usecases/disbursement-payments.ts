// The payment of a disbursement to the seller (api.md v1.1 "Banks and settlement"): the order in the
// disbursement's transaction (settlement public.ts `paymentOrderItems`), the bank's result recorded on
// the loan (planned here for the settlement domain's result transaction: loans public.ts
// `planDisbursementPaymentResult`), and staff's new payment of a failed one to a corrected payee.
import { commit, type IdempotencyContext } from '../../../shared/tx.ts';
import type { Caller } from '../../../shared/auth.ts';
import { businessDate, instantOf, now, periodOf } from '../../../shared/clock.ts';
import { sendAfterCommit } from '../../../shared/outbox.ts';
import { ledgerWrite } from '../../../shared/ledger/ledger.ts';
import { createLogger } from '../../../shared/log.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { paymentOrderItems, type PaymentResult } from '../../settlement/public.ts';
import { repaidDisbursement, withPaymentResult, type LoanPayee } from '../domain/disbursement.ts';
import type { Loan } from '../domain/loan.ts';
import { LOAN_FLOWS } from '../domain/policy.ts';
import { loanView } from '../domain/views.ts';
import { getLoan, loanWriteItems } from '../store.ts';
import { staffLoan } from './access.ts';
import { loanArchive } from './archive.ts';

const log = createLogger('loans');

/** The purpose and reference a bank and a reconciliation see on a disbursement's order. */
export const DISBURSEMENT_PURPOSE = 'LOAN_DISBURSEMENT';

/** The payment order of the loan's current disbursement payment (`loan.disbursement.payment`), from the PAYMENT account serving the loan's branch. */
export function disbursementOrder(loan: Loan, at: Date) {
  const p = loan.disbursement!.payment;
  return paymentOrderItems({
    paymentId: p.paymentId,
    branch: loan.branch,
    payeeName: p.payee.name,
    payeeAccount: p.payee.bankAccount,
    amountFen: p.amountFen,
    purpose: DISBURSEMENT_PURPOSE,
    reference: loan.loanId,
    source: { kind: 'LOAN_DISBURSEMENT', id: loan.loanId },
    at,
  });
}

/** Sends the order after its commit; a failure is left to the settlement sweeper (it re-sends unacknowledged orders). */
export const runAfterCommit = (after: (() => Promise<void>) | undefined, loanId: string): Promise<void> => sendAfterCommit('disbursement payment order', after, log, { loanId });

export interface DisbursementPaymentResultInput extends PaymentResult {
  loanId: string;
  /** Who reported it, for the archive (default `{ sub: 'bank', role: 'bank' }`; settlement passes `bank:<bankCode>`). */
  actor?: { sub: string; role: string };
}

/**
 * The loans-table items of a bank's result of a disbursement payment, for the settlement domain's ONE
 * result transaction: the loan's payment SETTLED or FAILED (conditioned on the loan's version as read:
 * the result applies once, a concurrent second delivery re-plans and finds it applied), and an archive
 * record. FAILED also reverses the disbursement's fund flow (a negative LOAN_DISBURSEMENT flow in the
 * disbursement's period, where the flow was counted). No items when the result changes nothing (no
 * such loan, not its current payment, or the result already recorded).
 */
export async function planDisbursementPaymentResult(input: DisbursementPaymentResultInput): Promise<TxItem[]> {
  const loan = await getLoan(input.loanId);
  if (!loan) return [];
  const applied = withPaymentResult(loan, input);
  if (!applied) return [];
  const items: TxItem[] = [...loanWriteItems(loan, applied.loan)];
  if (applied.reversedFen > 0) {
    const period = periodOf(loan.disbursedOn ?? businessDate(input.at));
    items.push(...ledgerWrite([], { fundFlows: [{ kind: LOAN_FLOWS.DISBURSEMENT, amountFen: -applied.reversedFen, branch: loan.branch, period }], now: instantOf(input.at) }).items);
  }
  const payment = applied.loan.disbursement!.payment;
  items.push(
    loanArchive(
      loan,
      input.status === 'SETTLED' ? 'DISBURSEMENT_PAYMENT_SETTLED' : 'DISBURSEMENT_PAYMENT_FAILED',
      input.actor ?? { sub: 'bank', role: 'bank' },
      { paymentId: input.paymentId, status: input.status, bankRef: input.bankRef, ...(input.failure ? { failure: input.failure } : {}) },
      { status: payment.status, ...(payment.failure ? { failure: payment.failure } : {}), ...(applied.reversedFen > 0 ? { reversedFen: applied.reversedFen } : {}) },
      `PAYMENT#${input.paymentId}`,
      instantOf(input.at),
    ),
  );
  return items;
}

/**
 * Staff pay a disbursement whose payment FAILED again, to a corrected payee (POST
 * /v1/loans/{loanId}/disbursement-payments): a new order (attempt n+1) and the disbursement's fund flow
 * again (in the period of today), in one transaction; 409 INVALID_STATE unless the current payment FAILED.
 */
export async function payDisbursementAgain(caller: Caller, loanId: string, input: { payee: LoanPayee }, idempotency: IdempotencyContext | undefined) {
  let after: (() => Promise<void>) | undefined;
  const out = await commit({
    idempotency,
    plan: async () => {
      const loan = await staffLoan(caller, loanId);
      const at = now();
      const next = repaidDisbursement(loan, input.payee, at.toISOString());
      const order = await disbursementOrder(next, at);
      after = order.afterCommit;
      const payment = next.disbursement!.payment;
      const ledger = ledgerWrite([], { fundFlows: [{ kind: LOAN_FLOWS.DISBURSEMENT, amountFen: payment.amountFen, branch: loan.branch, period: periodOf(businessDate(at)) }], now: at });
      return {
        items: [...loanWriteItems(loan, next), ...ledger.items, ...order.items, loanArchive(loan, 'DISBURSEMENT_PAID_AGAIN', caller, input, { paymentId: payment.paymentId, status: 'ORDERED' })],
        body: loanView(next),
      };
    },
  });
  if (!out.replayed) await runAfterCommit(after, loanId);
  return out;
}
