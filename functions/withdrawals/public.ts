// What other domains may use of the withdrawals domain (architecture.md: "Flows that cross domains").
// Nothing else of functions/withdrawals/ is imported from outside it; this file only delegates (the
// keys live in store.ts, the flows in usecases/).
import type { Caller } from '../../shared/auth.ts';
import type { IdempotencyContext, Outcome } from '../../shared/tx.ts';
import * as store from './store.ts';
import { claimCounts, type Withdrawal } from './domain/withdrawal.ts';
import { planWithdrawalPaymentResult as planPaymentResult, type WithdrawalPaymentResultInput } from './usecases/payment.ts';
import { withdrawForLoanRepayment as withdrawForLoan, type LoanRepaymentRequest } from './usecases/apply.ts';
import { withdrawalForRating as forRating } from './usecases/read.ts';
import type { WithdrawalBody } from './domain/views.ts';
import type { Page, PageRange, TxItem } from '../../shared/ddb.ts';
import {
  partnerWithdrawalIdOf as partnerIdOf,
  partnerWithdrawalOutcome as partnerOutcome,
  planPartnerPurchaseWithdrawal as planPartner,
  type PartnerPurchaseRequest,
  type PartnerWithdrawalOutcome,
} from './usecases/partner.ts';

export type { WithdrawalBody } from './domain/views.ts';
export type { LoanRepaymentRequest } from './usecases/apply.ts';
export type { PartnerPurchaseRequest, PartnerWithdrawalOutcome } from './usecases/partner.ts';
export type { WithdrawalPaymentResultInput } from './usecases/payment.ts';

export const CLAIM_SHARDS = store.CLAIM_SHARDS;

export interface PropertyClaimFact {
  propertyCertificateNo: string;
  accountNo: string;
  claimedOn: string;
  withdrawalId: string;
}

/**
 * The claims on properties that count (not rejected, its payment not failed) of a page of one claim
 * shard (0 … CLAIM_SHARDS−1). A property's claims are all in the one page that holds the property.
 */
export async function propertyClaimsOfShardPage(shard: number, range: PageRange): Promise<Page<PropertyClaimFact>> {
  const page = await store.claimsOfShardPage(shard, range);
  const claims: PropertyClaimFact[] = [];
  for (const item of page.items) {
    if (item.kind !== 'PROPERTY') continue;
    for (const c of item.claims ?? []) if (claimCounts(c)) claims.push({ propertyCertificateNo: item.docNo, accountNo: c.accountNo, claimedOn: c.claimedOn, withdrawalId: c.withdrawalId });
  }
  return { items: claims, nextCursor: page.nextCursor };
}

export interface WithdrawalFact {
  withdrawalId: string;
  accountNo: string;
  reason: string;
  status: string;
  submittedAt: string;
  paidOn?: string;
}

const fact = (w: Withdrawal): WithdrawalFact => ({ withdrawalId: w.withdrawalId, accountNo: w.accountNo, reason: w.reason, status: w.status, submittedAt: w.submittedAt, paidOn: w.paidOn });

/** A page of the withdrawals of one reason submitted in one calendar year, by submission (PageRange). */
export async function withdrawalsByReasonAndYearPage(reason: string, year: number, range: PageRange): Promise<Page<WithdrawalFact>> {
  const page = await store.withdrawalsByReasonAndYearPage(reason, year, range);
  return { items: page.items.map(fact), nextCursor: page.nextCursor };
}

/** Every withdrawal of an account. */
export async function withdrawalsOfAccount(accountNo: string): Promise<WithdrawalFact[]> {
  return (await store.allWithdrawalsOfAccount(accountNo)).map(fact);
}

/**
 * A prepayment of one of our loans from the account (the loans domain's POST /v1/loans/{id}/prepayments
 * with source ACCOUNT): exactly the use case POST /v1/withdrawals runs for HPF_LOAN_REPAYMENT, so it
 * is a withdrawal of that reason in the account's list and in the archive. `caller`: the member
 * owning `accountNo`, or staff covering its branch (others: 404). Amount in fen, or `full: true` (the
 * lower of the balance and the payoff amount). Throws DomainError like the route (INVALID_STATE for a
 * frozen account, INSUFFICIENT_BALANCE, NOT_ELIGIBLE, the loans domain's refusals).
 */
export async function withdrawForLoanRepayment(
  caller: Caller,
  input: LoanRepaymentRequest,
  idempotency: IdempotencyContext | undefined,
): Promise<Outcome<WithdrawalBody>> {
  return withdrawForLoan(caller, input, idempotency);
}

/** A withdrawal as a rating needs it (`completed` = PAID); undefined when there is no such withdrawal. */
export async function withdrawalForRating(withdrawalId: string): Promise<{ accountNo: string; branch?: string; completed: boolean } | undefined> {
  return forRating(withdrawalId);
}

/**
 * A partner province's purchase withdrawal (跨省通办 PURCHASE_WITHDRAWAL): one of our own PURCHASE
 * withdrawals with `channel: { partner, trackingId }`, planned by the same code as POST /v1/withdrawals
 * (frozen/closed account, overdue loan, balance, purchase date window, the property cap "price less what
 * was already withdrawn for this property by anyone", the fraud rules that send it to staff review, the
 * archive with the partner as actor, the ledger debit when PAID). Returns the items for the caller's
 * one commit (never commits): the record, the claim, the archive record, the loan flags' check and, when
 * PAID, the ledger debit. A refusal is the outcome REJECTED with the withdrawal's own code
 * (INVALID_STATE, NOT_ELIGIBLE, POLICY_VIOLATION, INSUFFICIENT_BALANCE, VALIDATION_FAILED, NOT_FOUND)
 * and no items. The withdrawal id derives from `trackingId`: a second call for the same trackingId
 * returns the existing outcome and no items. The caller's transaction must hold no other item on the
 * member's ledger account nor its loan flags (the plan writes / checks them).
 */
export function planPartnerPurchaseWithdrawal(input: PartnerPurchaseRequest): Promise<{ items: TxItem[]; outcome: PartnerWithdrawalOutcome }> {
  return planPartner(input);
}

/** The outcome of a partner's withdrawal now (staff review: approve → PAID, reject → REJECTED code REVIEW_REJECTED); undefined when there is no such partner withdrawal. */
export function partnerWithdrawalOutcome(withdrawalId: string): Promise<PartnerWithdrawalOutcome | undefined> {
  return partnerOutcome(withdrawalId);
}

/** The withdrawal id planPartnerPurchaseWithdrawal gives the request `trackingId` (deterministic). */
export const partnerWithdrawalIdOf = (trackingId: string): string => partnerIdOf(trackingId);

/**
 * The items settlement commits WITH a bank's result of a withdrawal's payment order (source kind
 * WITHDRAWAL; POST /v1/bank/payment-results). SETTLED: the withdrawal's payment SETTLED. FAILED: one
 * REVERSAL posting of the whole amount on the member's account (ref the withdrawal, memo naming the
 * payment and the bank's reason; a closing withdrawal re-opens the account in the status it had), the
 * withdrawal PAYMENT_FAILED with `payment: { status: FAILED, failure }`, its property/permit claim no
 * longer counting against the cap, and an archive record (action PAYMENT_FAILED, actor `bank:<code>`).
 * Every item is conditional on the withdrawal still being PAID with that payment ORDERED: a result
 * applies exactly once. Throws (nothing to commit): NOT_FOUND for an unknown withdrawal, INVALID_STATE
 * for one not awaiting this payment's result or whose money cannot go back (its account closed since
 * by a transfer out). The caller's transaction must hold no other item on the member's ledger account.
 */
export function planWithdrawalPaymentResult(input: WithdrawalPaymentResultInput): Promise<TxItem[]> {
  return planPaymentResult(input);
}
