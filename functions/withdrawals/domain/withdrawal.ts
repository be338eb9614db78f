// Withdrawal rules (提取, domain.md §3), pure: who may withdraw, how much, which evidence binds, which
// fraud rules send an application to review, and the state transitions of the archive record and of
// the spending claim on a property or building permit.
//
// Decisions taken here (documented for reviewers):
//  - Closing reasons (RETIREMENT, INCAPACITY, EMIGRATION, DEATH) always withdraw the whole balance
//    plus the interest settled to the day: they take `full: true`; an explicit `amount` is a 422
//    POLICY_VIOLATION (the member cannot know the interest to the fen). An empty account still closes
//    (amount 0.00, no entry).
//  - `full: true` on any other reason means "as much as the rules allow": the balance, or less when a
//    spending cap (purchase price / repair budget less what was already withdrawn) binds.
//  - BUILD_REPAIR is not among the relaxed reasons: it is capped like a purchase by its documented
//    spending (the budget) less what was already withdrawn for the same building permit, by anyone.
//  - Fraud rules (domain.md §6) apply to the property of purchase-type withdrawals: a property already
//    claimed by another account (we hold no household data, so "outside the household" = another
//    account), or claimed at all within the last 12 months. Such an application is PENDING_REVIEW:
//    nothing is debited or reserved; approval re-checks balance, status and cap and debits then.
//    Rejected claims no longer count.
//  - Paid to a bank account (a payee, and not one of our own loans nor a partner's purchase): a payment
//    order (settlement/public.ts) in the commit of the debit; the record keeps `payment`. The bank's
//    FAILED result gives the money back exactly once (a REVERSAL entry value-dated the day it was paid,
//    so the interest accrues as if it never left), the withdrawal becomes PAYMENT_FAILED and its claim
//    on a property or permit no longer counts (neither against the cap nor for the fraud rules: like a
//    rejected one, nothing was withdrawn). A closing withdrawal re-opens the account in the status it
//    had before (`closedFrom`). The payee of a DEATH withdrawal is the heir (`evidence.heirName`);
//    otherwise the account holder.
import { DomainError } from '../../../shared/errors.ts';
import { yuanToFen } from '../../../shared/money.ts';
import { addDays, addMonths } from '../../../shared/clock.ts';
import { interestDue, type Account } from '../../../shared/ledger/account.ts';
import type { AccountWrite } from '../../../shared/ledger/ledger.ts';
import type { PaymentResult } from '../../settlement/public.ts';
import { ACCOUNT_STATUS_CODES, type Policy, type WithdrawalReason } from '../../../shared/policy.ts';

/**
 * The loans domain's flags of the account (loans public.ts `borrowerFlags`), as plain data:
 * `activeLoanId` while the member has one of our loans outstanding, `hasOverdueLoan` while it is overdue.
 */
export interface LoanFlags {
  activeLoanId?: string;
  hasOverdueLoan: boolean;
}

// ---------- what a member submits, as plain types (schemas.ts parses the request into these) ----------

export type Recalculation = 'REDUCE_TERM' | 'REDUCE_PAYMENT';

export interface PurchaseEvidence {
  contractNo: string;
  propertyCertificateNo: string;
  /** The documented price, the yuan string as submitted. */
  price: string;
  purchaseDate: string;
  /** The city of the property, when a partner province names it (its purchase withdrawal). */
  city?: string;
}
export type RentEvidence =
  | { housingKind: 'PUBLIC_RENTAL' | 'AFFORDABLE_RENTAL'; leaseContractNo: string; rentReceiptNo: string }
  | { housingKind: 'COMMERCIAL'; noHouseCertificateNo: string; spouseNoHouseCertificateNo?: string };
/** Our own loan (`loanId`, or none: the account's active loan) or another center's (`centerCode` + `loanContractNo`). */
export interface HpfLoanEvidence {
  loanId?: string;
  centerCode?: string;
  loanContractNo?: string;
}

interface ApplicationBase {
  accountNo: string;
  /** Requested amount in fen; absent with `full: true`. */
  amount?: number;
  full?: true;
  /** Absent only for a repayment of one of our own loans (nothing is paid to a bank account). */
  payeeBankAccount?: string;
}

export type WithdrawalApplication = ApplicationBase &
  (
    | { reason: 'PURCHASE'; evidence: PurchaseEvidence }
    | { reason: 'OFFSITE_PURCHASE'; evidence: PurchaseEvidence & { city: string } }
    | { reason: 'BUILD_REPAIR'; evidence: { permitNo: string; budget: string } }
    | { reason: 'RETIREMENT'; evidence: { retirementDate: string } }
    | { reason: 'INCAPACITY' | 'EMIGRATION'; evidence: { certificateNo: string } }
    | { reason: 'DEATH'; evidence: { heirIdNumber: string; heirName: string; deathCertificateNo: string } }
    | { reason: 'HPF_LOAN_REPAYMENT'; evidence: HpfLoanEvidence; recalculation?: Recalculation }
    | { reason: 'COMMERCIAL_LOAN_REPAYMENT'; evidence: { bankName: string; loanContractNo: string; outstandingAmount: string } }
    | { reason: 'RENT'; evidence: RentEvidence }
    | { reason: 'ELEVATOR_RETROFIT'; evidence: { projectFilingNo: string; ownerShareAmount: string } }
  );

export type WithdrawalEvidence = WithdrawalApplication['evidence'];

export type WithdrawalStatus = 'PAID' | 'PENDING_REVIEW' | 'REJECTED' | 'PAYMENT_FAILED';
export type ReviewReason = 'PROPERTY_CLAIMED_BY_ANOTHER_ACCOUNT' | 'PROPERTY_CLAIMED_WITHIN_REPEAT_WINDOW';

export interface Actor {
  sub: string;
  role: string;
}

export const SYSTEM: Actor = { sub: 'system', role: 'system' };

/** The ledger write that pays a withdrawal; a closing one settles interest to `today` and closes the account. */
export function payout(account: Account, w: Pick<Withdrawal, 'withdrawalId' | 'reason' | 'amountFen' | 'closesAccount'>, today: string): AccountWrite {
  const postings = w.amountFen > 0 ? [{ amountFen: -w.amountFen, type: 'WITHDRAWAL' as const, ref: w.withdrawalId, valueDate: today, memo: w.reason }] : [];
  if (!w.closesAccount) return { account, postings };
  return { account, postings, settleInterestTo: today, changes: { status: 'CLOSED', statusCode: ACCOUNT_STATUS_CODES.CLOSED_WITHDRAWN, closedOn: today } };
}

export interface Decision {
  action: 'AUTO_APPROVE' | 'REFER_TO_REVIEW' | 'APPROVE' | 'REJECT' | 'PAYMENT_FAILED';
  by: Actor;
  at: string;
  note?: string;
}

/** The electronic archive (电子化档案) of one withdrawal: what was submitted, by whom, when, each decision. */
export interface Withdrawal {
  withdrawalId: string;
  accountNo: string;
  reason: WithdrawalReason;
  reasonCode: string;
  status: WithdrawalStatus;
  /** What leaves the account (closing reasons: balance + interest). */
  amountFen: number;
  /** Interest settled to date by a closing withdrawal (0 otherwise). */
  interestFen: number;
  closesAccount: boolean;
  requested: { full: true } | { full: false; amountFen: number };
  /** Absent for a repayment of one of our loans: nothing is paid to a bank account. */
  payeeBankAccount?: string;
  /** The account's branch at submission (the review queue's scope; absent on records before issue 13). */
  branch?: string;
  evidence: WithdrawalEvidence;
  /** SHA-256 (hex) of the canonical JSON of `evidence`. */
  evidenceSha256: string;
  /** The property or permit the withdrawal spends on (purchase-type and BUILD_REPAIR). */
  spending?: SpendingRef;
  submittedBy: Actor;
  submittedAt: string;
  reviewReasons: ReviewReason[];
  reviewDueOn?: string;
  decisions: Decision[];
  rejection?: { code: string; message: string };
  paidOn?: string;
  entryIds: string[];
  /** HPF_LOAN_REPAYMENT of one of our loans: what the amount paid on the loan, in the same transaction. */
  loanRepayment?: LoanRepayment;
  /**
   * A withdrawal a partner province asked for (跨省通办, its PURCHASE_WITHDRAWAL): the partner's center
   * code and our tracking id of its request. No payee bank account: the money's route is the partner's.
   */
  channel?: WithdrawalChannel;
  /** The payment order that pays it to `payeeBankAccount` (settlement), and the bank's result. */
  payment?: WithdrawalPayment;
  /** A closing withdrawal: the account's status before it closed (a failed payment re-opens it so). */
  closedFrom?: { status: 'NORMAL' | 'SEALED'; statusCode: string };
}

export type WithdrawalPaymentStatus = 'ORDERED' | 'SETTLED' | 'FAILED';

/** The payment of a withdrawal through a bank (付款指令) as the withdrawal knows it. */
export interface WithdrawalPayment {
  paymentId: string;
  status: WithdrawalPaymentStatus;
  /** The bank's reason when FAILED. */
  failure?: { code: string; message: string };
  bankRef?: string;
  resultAt?: string;
}

export interface WithdrawalChannel {
  partner: string;
  trackingId: string;
}

/** What a withdrawal paid on one of our loans (the loans domain's answer, kept on the record). */
export interface LoanRepayment {
  loanId: string;
  recalculation: Recalculation;
  /** Numbers of the installments it paid (overdue with penalty first, then due ones). */
  installmentsPaid: number[];
  principalPrepaidFen: number;
  outstandingPrincipalFen: number;
  loanStatus: 'ACTIVE' | 'CLOSED';
  /** The loan after it, as of the commit. */
  remainingInstallments?: number;
  nextDue?: { no: number; dueDate: string; amountFen: number } | null;
  paidOffOn?: string | null;
}

export interface SpendingRef {
  kind: 'PROPERTY' | 'PERMIT';
  docNo: string;
}

export interface ClaimEntry {
  withdrawalId: string;
  accountNo: string;
  claimedOn: string;
  amountFen: number;
  status: WithdrawalStatus;
}

/** Everything withdrawn or claimed against one property (or building permit), by anyone. */
export interface SpendingClaim extends SpendingRef {
  paidFen: number;
  claims: ClaimEntry[];
  /** Optimistic-concurrency version (0 = not yet stored). */
  version: number;
}

/**
 * The claim key of a document number. The edge (schemas.ts, kernel `documentNumber`) already gives the
 * canonical form (NFKC, upper case, no character outside the alphabet: an invisible or look-alike
 * character is refused there, never dropped), on which this is the identity; it folds records stored
 * before issue 14 the way their claims were keyed.
 */
export const normalizedDocNo = (docNo: string) => docNo.normalize('NFKC').replace(/\s+/gu, '').toUpperCase();

/** Does a claim still count (the fraud rules, the audit)? A rejected one and one whose payment failed do not: nothing was withdrawn. */
export const claimCounts = (c: Pick<ClaimEntry, 'status'>) => c.status !== 'REJECTED' && c.status !== 'PAYMENT_FAILED';

/** The spending a withdrawal is capped by: the documented price or budget. */
export function spendingOf(reason: WithdrawalReason, evidence: WithdrawalEvidence): (SpendingRef & { capFen: number }) | undefined {
  if ((reason === 'PURCHASE' || reason === 'OFFSITE_PURCHASE') && 'propertyCertificateNo' in evidence) {
    return { kind: 'PROPERTY', docNo: normalizedDocNo(evidence.propertyCertificateNo), capFen: yuanToFen(evidence.price) };
  }
  if (reason === 'BUILD_REPAIR' && 'permitNo' in evidence) return { kind: 'PERMIT', docNo: normalizedDocNo(evidence.permitNo), capFen: yuanToFen(evidence.budget) };
  return undefined;
}

/** The refusal's `errors[].message` when a borrower with an overdue loan asks for another reason. */
export const OVERDUE_LOAN_REPAYMENT_ONLY = 'OVERDUE_LOAN_REPAYMENT_ONLY';

/**
 * The loan of ours an HPF_LOAN_REPAYMENT pays (`evidence.loanId`, or none: the account's active loan);
 * undefined for any other reason and for another center's loan (paid out as before).
 */
export function ourLoanOf(body: WithdrawalApplication, flags: Pick<LoanFlags, 'activeLoanId'>): string | undefined {
  if (body.reason !== 'HPF_LOAN_REPAYMENT' || body.evidence.centerCode !== undefined) return undefined;
  return body.evidence.loanId ?? flags.activeLoanId;
}

/**
 * Account-level rules every withdrawal meets, at application and again at approval. A borrower with an
 * overdue loan may only withdraw to repay it (domain.md §3): `repaysOurLoan` says the withdrawal pays
 * the account's own loan (not another center's, not any other reason).
 */
export function assertMayWithdraw(account: Account, flags: Pick<LoanFlags, 'hasOverdueLoan'>, repaysOurLoan: boolean): void {
  if (account.status === 'FROZEN' || account.status === 'CLOSED') {
    throw new DomainError('INVALID_STATE', `Account ${account.accountNo} is ${account.status}: no withdrawal / 账户状态不允许提取`);
  }
  if (flags.hasOverdueLoan && !repaysOurLoan) {
    throw new DomainError('NOT_ELIGIBLE', 'An overdue HPF loan may only be repaid by withdrawal (HPF_LOAN_REPAYMENT) / 公积金贷款逾期，仅可提取偿还该贷款', [
      { path: 'body.reason', message: OVERDUE_LOAN_REPAYMENT_ONLY },
    ]);
  }
}

/** Rules on the evidence itself that need the date. */
function assertEvidence(body: WithdrawalApplication, today: string, policy: Policy): void {
  switch (body.reason) {
    case 'PURCHASE':
    case 'OFFSITE_PURCHASE': {
      const { purchaseDate } = body.evidence;
      const earliest = `${Number(today.slice(0, 4)) - policy.withdrawals.purchaseWithinYears}${today.slice(4)}`;
      if (purchaseDate > today || purchaseDate < earliest) {
        throw new DomainError('POLICY_VIOLATION', `The purchase date must be within ${policy.withdrawals.purchaseWithinYears} year(s) before today / 购房日期须在${policy.withdrawals.purchaseWithinYears}年内`, [
          { path: 'body.evidence.purchaseDate', message: `must be from ${earliest} to ${today}` },
        ]);
      }
      return;
    }
    case 'RETIREMENT':
      if (body.evidence.retirementDate > today) throw new DomainError('NOT_ELIGIBLE', 'Not retired yet / 尚未退休', [{ path: 'body.evidence.retirementDate', message: 'is in the future' }]);
      return;
    default:
      return;
  }
}

/** What is left under the documented spending (`undefined`: no such cap). */
const remainingCapFen = (cap: number | undefined, claim: SpendingClaim | undefined) => (cap === undefined ? undefined : cap - (claim?.paidFen ?? 0));

function assertAmount(amountFen: number, balanceFen: number, capFen: number | undefined): void {
  if (amountFen > balanceFen) throw new DomainError('INSUFFICIENT_BALANCE', `The balance ${balanceFen} fen does not cover ${amountFen} fen / 余额不足`);
  if (capFen !== undefined && (capFen <= 0 || amountFen > capFen)) {
    throw new DomainError('POLICY_VIOLATION', `Above the documented spending less what was already withdrawn for it (${Math.max(0, capFen)} fen left) / 超过购房（建房）款减去已提取金额`);
  }
}

/** Fraud rules on a property's earlier claims (domain.md §6). */
function reviewReasonsFor(claim: SpendingClaim | undefined, accountNo: string, today: string, policy: Policy): ReviewReason[] {
  if (!claim || claim.kind !== 'PROPERTY') return [];
  const live = claim.claims.filter(claimCounts);
  const windowStart = `${addMonths(today.slice(0, 7), -policy.withdrawals.propertyRepeatWindowMonths)}${today.slice(7)}`;
  const reasons: ReviewReason[] = [];
  if (live.some((c) => c.accountNo !== accountNo)) reasons.push('PROPERTY_CLAIMED_BY_ANOTHER_ACCOUNT');
  if (live.some((c) => c.claimedOn > windowStart)) reasons.push('PROPERTY_CLAIMED_WITHIN_REPEAT_WINDOW');
  return reasons;
}

export interface ApplicationDecision {
  status: 'PAID' | 'PENDING_REVIEW';
  amountFen: number;
  interestFen: number;
  closesAccount: boolean;
  reviewReasons: ReviewReason[];
  /**
   * One of our loans to pay in the same transaction: `amountFen` is then the request (the balance for
   * `full`), which the loans domain's plan settles (full: the lower of balance and payoff amount).
   */
  repaysLoanId?: string;
}

/** Decides an application from the state read in this attempt; throws the refusal. */
export function decideApplication(c: { account: Account; loanFlags: LoanFlags; body: WithdrawalApplication; claim: SpendingClaim | undefined; today: string; policy: Policy }): ApplicationDecision {
  const { account, body, policy } = c;
  const rule = policy.withdrawals.reasons[body.reason];
  const repaysLoanId = ourLoanOf(body, c.loanFlags);
  assertMayWithdraw(account, c.loanFlags, repaysLoanId !== undefined);
  assertEvidence(body, c.today, policy);
  // our loan, none named and none active: nothing to repay (a named loan: the loans domain's plan
  // decides in the same transaction whether the account is a party of it and it is ACTIVE)
  if (body.reason === 'HPF_LOAN_REPAYMENT' && body.evidence.centerCode === undefined && repaysLoanId === undefined) {
    throw new DomainError('NOT_ELIGIBLE', 'No HPF loan of this center to repay / 本中心无在贷公积金贷款');
  }
  if (rule.closesAccount) {
    if (body.amount !== undefined) {
      throw new DomainError('POLICY_VIOLATION', 'A closing withdrawal takes the whole balance with interest: send full: true / 销户类提取须全额提取', [{ path: 'body.amount', message: 'use full: true' }]);
    }
    const { interestFen } = interestDue(account, c.today, policy.interest);
    return { status: 'PAID', amountFen: account.balanceFen + interestFen, interestFen, closesAccount: true, reviewReasons: [] };
  }
  if (account.balanceFen <= 0) throw new DomainError('INSUFFICIENT_BALANCE', 'The balance is zero / 账户余额为零');
  const capFen = remainingCapFen(spendingOf(body.reason, body.evidence)?.capFen, c.claim);
  const amountFen = body.amount ?? Math.min(account.balanceFen, capFen ?? account.balanceFen);
  assertAmount(amountFen, account.balanceFen, capFen);
  if (repaysLoanId) return { status: 'PAID', amountFen, interestFen: 0, closesAccount: false, reviewReasons: [], repaysLoanId };
  const reviewReasons = reviewReasonsFor(c.claim, account.accountNo, c.today, policy);
  return { status: reviewReasons.length ? 'PENDING_REVIEW' : 'PAID', amountFen, interestFen: 0, closesAccount: false, reviewReasons };
}

/** Re-checks a pending withdrawal against the state read now, before staff approval debits it. */
export function assertApprovable(w: Withdrawal, account: Account, loanFlags: LoanFlags, claim: SpendingClaim | undefined): void {
  assertPending(w);
  assertMayWithdraw(account, loanFlags, false); // only PURCHASE-type withdrawals wait for review
  assertAmount(w.amountFen, account.balanceFen, remainingCapFen(spendingOf(w.reason, w.evidence)?.capFen, claim));
}

export function assertPending(w: Withdrawal): void {
  if (w.status !== 'PENDING_REVIEW') throw new DomainError('INVALID_STATE', `Withdrawal ${w.withdrawalId} is ${w.status}, not PENDING_REVIEW / 该提取申请不在待审核状态`);
}

export function newWithdrawal(a: {
  withdrawalId: string;
  body: WithdrawalApplication;
  decision: ApplicationDecision;
  evidenceSha256: string;
  submittedBy: Actor;
  at: string;
  today: string;
  policy: Policy;
  entryIds: string[];
  branch?: string;
  loanRepayment?: LoanRepayment;
  channel?: WithdrawalChannel;
  /** The account's status as read (a closing withdrawal records it in `closedFrom`). */
  accountStatus?: { status: Account['status']; statusCode: string };
}): Withdrawal {
  const { body, decision } = a;
  const spending = spendingOf(body.reason, body.evidence);
  const paid = decision.status === 'PAID';
  return {
    withdrawalId: a.withdrawalId,
    accountNo: body.accountNo,
    reason: body.reason,
    reasonCode: a.policy.withdrawals.reasons[body.reason].code,
    status: decision.status,
    amountFen: decision.amountFen,
    interestFen: decision.interestFen,
    closesAccount: decision.closesAccount,
    requested: body.amount === undefined ? { full: true } : { full: false, amountFen: body.amount },
    payeeBankAccount: body.payeeBankAccount,
    branch: a.branch,
    evidence: body.evidence,
    evidenceSha256: a.evidenceSha256,
    spending: spending && { kind: spending.kind, docNo: spending.docNo },
    submittedBy: a.submittedBy,
    submittedAt: a.at,
    reviewReasons: decision.reviewReasons,
    reviewDueOn: paid ? undefined : addDays(a.today, a.policy.withdrawals.reviewDecisionDays),
    decisions: [paid ? { action: 'AUTO_APPROVE', by: SYSTEM, at: a.at } : { action: 'REFER_TO_REVIEW', by: SYSTEM, at: a.at, note: decision.reviewReasons.join(', ') }],
    paidOn: paid ? a.today : undefined,
    entryIds: a.entryIds,
    ...(a.loanRepayment ? { loanRepayment: a.loanRepayment } : {}),
    ...(a.channel ? { channel: a.channel } : {}),
    ...(decision.closesAccount && a.accountStatus && (a.accountStatus.status === 'NORMAL' || a.accountStatus.status === 'SEALED')
      ? { closedFrom: { status: a.accountStatus.status, statusCode: a.accountStatus.statusCode } }
      : {}),
  };
}

/** Has the day to decide a pending withdrawal (Art. 25) passed? */
export const overdueForReview = (w: Pick<Withdrawal, 'status' | 'reviewDueOn'>, today: string) => w.status === 'PENDING_REVIEW' && !!w.reviewDueOn && today > w.reviewDueOn;

export const approved = (w: Withdrawal, by: Actor, at: string, today: string, entryIds: string[], note?: string): Withdrawal => ({
  ...w,
  status: 'PAID',
  decisions: [...w.decisions, { action: 'APPROVE', by, at, note }],
  paidOn: today,
  entryIds,
});

export const rejected = (w: Withdrawal, by: Actor, at: string, note: string): Withdrawal => ({
  ...w,
  status: 'REJECTED',
  decisions: [...w.decisions, { action: 'REJECT', by, at, note }],
  rejection: { code: 'REVIEW_REJECTED', message: note },
});

/** The claim with this withdrawal added (a PAID one counts against the cap at once). */
export function withClaim(claim: SpendingClaim | undefined, ref: SpendingRef, w: Pick<Withdrawal, 'withdrawalId' | 'accountNo' | 'amountFen' | 'status'>, today: string): SpendingClaim {
  const base: SpendingClaim = claim ?? { ...ref, paidFen: 0, claims: [], version: 0 };
  return {
    ...base,
    paidFen: base.paidFen + (w.status === 'PAID' ? w.amountFen : 0),
    claims: [...base.claims, { withdrawalId: w.withdrawalId, accountNo: w.accountNo, claimedOn: today, amountFen: w.amountFen, status: w.status }],
    version: base.version + 1,
  };
}

/** The claim after a review decision on one of its withdrawals. */
export function withClaimDecided(claim: SpendingClaim, w: Pick<Withdrawal, 'withdrawalId' | 'amountFen' | 'status'>): SpendingClaim {
  return {
    ...claim,
    paidFen: claim.paidFen + (w.status === 'PAID' ? w.amountFen : 0),
    claims: claim.claims.map((c) => (c.withdrawalId === w.withdrawalId ? { ...c, status: w.status } : c)),
    version: claim.version + 1,
  };
}

// ---------- the payment through a bank (settlement) ----------

/**
 * Is the withdrawal paid out to a bank account by a payment order? PAID, with a payee, an amount, and
 * not a repayment of one of our loans (the money went to the loan) nor a partner province's purchase
 * (the money's route is the partner's).
 */
export const paysToBank = (w: Pick<Withdrawal, 'status' | 'payeeBankAccount' | 'amountFen' | 'loanRepayment' | 'channel' | 'payment'>): boolean =>
  w.status === 'PAID' && !!w.payeeBankAccount && w.amountFen > 0 && !w.loanRepayment && !w.channel && !w.payment;

/** Who the bank pays: the heir of a DEATH withdrawal, otherwise the account holder. */
export const payeeNameOf = (w: Pick<Withdrawal, 'reason' | 'evidence'>, holderName: string): string =>
  w.reason === 'DEATH' && 'heirName' in w.evidence ? w.evidence.heirName : holderName;

/** The withdrawal with its payment ordered. */
export const withPaymentOrdered = (w: Withdrawal, paymentId: string): Withdrawal => ({ ...w, payment: { paymentId, status: 'ORDERED' } });

/** A bank's result applies to a withdrawal only while it is PAID with that payment ORDERED (so it happens once). */
export function assertAwaitingResult(w: Withdrawal, paymentId: string): void {
  if (w.status !== 'PAID' || w.payment?.paymentId !== paymentId || w.payment.status !== 'ORDERED') {
    throw new DomainError('INVALID_STATE', `Withdrawal ${w.withdrawalId} is not awaiting the result of payment ${paymentId} / 该提取不在等待此付款结果的状态`);
  }
}

const BANK_MESSAGE_MAX = 200;

/** The withdrawal after its bank's result: SETTLED keeps it PAID; FAILED makes it PAYMENT_FAILED with the bank's reason. */
export function withPaymentResult(w: Withdrawal, r: PaymentResult, by: Actor): Withdrawal {
  if (r.status === 'SETTLED') return { ...w, payment: { paymentId: r.paymentId, status: 'SETTLED', bankRef: r.bankRef, resultAt: r.at } };
  const failure = failureOf(r);
  return {
    ...w,
    status: 'PAYMENT_FAILED',
    payment: { paymentId: r.paymentId, status: 'FAILED', failure, bankRef: r.bankRef, resultAt: r.at },
    decisions: [...w.decisions, { action: 'PAYMENT_FAILED', by, at: r.at, note: `${failure.code}: ${failure.message}` }],
  };
}

/** The bank's reason (bounded), or UNKNOWN when it gave none. */
export const failureOf = (r: Pick<PaymentResult, 'failure'>): { code: string; message: string } => ({
  code: r.failure?.code || 'UNKNOWN',
  message: (r.failure?.message || 'The bank gave no reason / 银行未说明原因').slice(0, BANK_MESSAGE_MAX),
});

/**
 * The posting that gives a failed payment's money back: +amount, REVERSAL, value-dated the day it was
 * paid (the 积数 as if it never left), keyed by the payment (the ledger refuses it twice).
 */
export function reversalPosting(w: Pick<Withdrawal, 'withdrawalId' | 'amountFen' | 'paidOn'>, r: Pick<PaymentResult, 'paymentId' | 'failure'>, today: string) {
  const failure = failureOf(r);
  return {
    amountFen: w.amountFen,
    type: 'REVERSAL' as const,
    ref: w.withdrawalId,
    valueDate: w.paidOn && w.paidOn <= today ? w.paidOn : today,
    entryKey: `REVERSAL-${r.paymentId}`,
    memo: `PAYMENT_FAILED ${r.paymentId} ${failure.code}: ${failure.message}`.slice(0, 300),
  };
}

/** The claim after a withdrawal's payment failed: its amount no longer counts against the cap. */
export function withClaimPaymentFailed(claim: SpendingClaim, w: Pick<Withdrawal, 'withdrawalId' | 'amountFen'>): SpendingClaim {
  const entry = claim.claims.find((c) => c.withdrawalId === w.withdrawalId);
  return {
    ...claim,
    paidFen: claim.paidFen - (entry?.status === 'PAID' ? w.amountFen : 0),
    claims: claim.claims.map((c) => (c.withdrawalId === w.withdrawalId ? { ...c, status: 'PAYMENT_FAILED' as const } : c)),
    version: claim.version + 1,
  };
}
