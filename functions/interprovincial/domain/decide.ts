// What we answer to a partner's request (domain.md §5, api.md "Inter-provincial services, completed"),
// pure: the identity check, the rules of each request type on the facts the owning domains gave, and
// the ledger write of the types this domain still carries itself (transfer out, retirement).
//
// Decisions (documented for reviewers and partners):
//  - Identity: payload idNumber AND name must match our account. BALANCE_INQUIRY and
//    DEPOSIT_CERTIFICATE answer as api.md v1.1 says: NOT_FOUND (no member with this ID number) or
//    NAME_MISMATCH (the name differs). The other types keep one answer for both (MEMBER_NOT_MATCHED),
//    so that a partner cannot probe names or ID numbers through them; api.md lists no identity code
//    for them.
//  - BALANCE_INQUIRY / DEPOSIT_CERTIFICATE: the deposits domain's facts (depositFactsOf) and the loans
//    domain's loan facts of the member as borrower (loanFactsOfAccount: the same numbers GET
//    /v1/loans/{id} shows, the payoff amount of the day). A deposit certificate is issued by the
//    deposits domain (depositCertificateItems), committed with the request's completion.
//  - TRANSFER_REQUEST (转出): refused when the account is CLOSED, FROZEN, active under a unit (NORMAL
//    with a unit: the unit must seal it first) or has an HPF loan outstanding. Otherwise interest is
//    settled to today, the whole balance leaves as TRANSFER_OUT and the account closes with code 04.
//  - RETIREMENT_WITHDRAWAL: like a closing withdrawal (status code 05): interest to today, the whole
//    balance as WITHDRAWAL. Refused for a CLOSED or FROZEN account, a retirement date in the future,
//    or an HPF loan outstanding (repay or settle it here first).
//  - PURCHASE_WITHDRAWAL: one of our own PURCHASE withdrawals with the partner as its channel
//    (withdrawals planPartnerPurchaseWithdrawal): PAID → COMPLETED { withdrawalId, amount };
//    PENDING_REVIEW → the request stays PROCESSING (withdrawalId recorded) until staff decide;
//    REJECTED → the withdrawal's own rejection code.
//  - LOAN_PAYOFF_CERTIFICATE: the same certificate GET /v1/loans/{id}/payoff-certificate returns
//    (loans payoffCertificateOfAccount): NO_CLOSED_LOAN when the member has none (or not that loan).
//  - FULL_PREPAYMENT: one of our full prepayments (loans planPartnerFullPrepayment): AMOUNT_MISMATCH
//    (its message names the payoff amount) or NO_ACTIVE_LOAN.
//  - TRANSFER_CANCEL: see `cancelDecision`.
import type { DepositFacts } from '../../deposits/public.ts';
import type { LoanFacts, PayoffCertificate } from '../../loans/public.ts';
import { fenToYuan } from '../../../shared/money.ts';
import { monthsBetween } from '../../../shared/clock.ts';
import { interestDue, type Account, type Posting } from '../../../shared/ledger/account.ts';
import type { AccountChanges } from '../../../shared/ledger/ledger.ts';
import type { Policy } from '../../../shared/policy.ts';
import type { InboundRequest, Rejection, RequestType } from './types.ts';

export const REJECTIONS = {
  MEMBER_NOT_MATCHED: 'No member matches the identity given / 未查询到与所提供身份信息一致的缴存职工',
  NOT_FOUND: 'No member with this ID number / 未查询到该身份证号码的缴存职工',
  NAME_MISMATCH: 'The name does not match the ID number / 姓名与身份证号码登记信息不符',
  ACCOUNT_CLOSED: 'The account is closed / 账户已销户',
  ACCOUNT_FROZEN: 'The account is frozen / 账户已冻结',
  ACCOUNT_ACTIVE_UNDER_UNIT: 'The account is still active under an employer: it must be sealed first / 账户仍在单位正常缴存，须先封存',
  LOAN_OUTSTANDING: 'An HPF loan is outstanding / 存在未结清的公积金贷款',
  RETIREMENT_DATE_INVALID: 'The retirement date is in the future / 退休日期晚于今日',
  NO_CLOSED_LOAN: 'The member has no settled HPF loan here / 该职工在本中心无已结清的住房公积金贷款',
  NO_ACTIVE_LOAN: 'No HPF loan is outstanding / 无未结清的公积金贷款',
  CANCELLED: 'Withdrawn by the requesting center before it was accepted / 转入地中心已在受理前撤回该申请',
  ALREADY_ACCEPTED: 'The transfer was already accepted: it can no longer be withdrawn / 转移申请已受理办结，不能撤回',
  ALREADY_REJECTED: 'The transfer request was already refused: there is nothing to withdraw / 转移申请已被驳回，无需撤回',
  REQUEST_NOT_FOUND: 'No transfer request of yours with this requestId / 未查询到贵中心该编号的转移申请',
  NO_SETTLEMENT_ACCOUNT: 'Your center has no settlement account registered here: the transfer cannot be paid / 贵中心未在本中心登记结算账户，无法划转资金',
  PAYMENT_ACCOUNT_UNAVAILABLE: 'No special account of ours can pay this transfer now; send the request again later / 本中心暂无可付款的专户，请稍后重新申请',
} as const;
export type RejectionCode = keyof typeof REJECTIONS;

/** The ledger effect of a completed request (the account is added by the caller). */
export interface Effect {
  postings: Posting[];
  changes?: AccountChanges;
  settleInterestTo?: string;
}

/** COMPLETED or REJECTED (final), or still PROCESSING (a withdrawal under staff review). */
export type Decision =
  | { status: 'REJECTED'; rejection: Rejection }
  | { status: 'COMPLETED'; result: Record<string, unknown>; effect?: Effect }
  | { status: 'PROCESSING'; withdrawalId: string };

export const rejection = (code: RejectionCode, message: string = REJECTIONS[code]): Rejection => ({ code, message });
export const reject = (code: RejectionCode, message?: string): Decision => ({ status: 'REJECTED', rejection: rejection(code, message) });

/** The types whose identity refusal names the cause (api.md v1.1); the others keep one generic answer. */
const NAMED_IDENTITY: readonly RequestType[] = ['BALANCE_INQUIRY', 'DEPOSIT_CERTIFICATE'];

/** The identity check of a request naming a member: undefined when `account` is the member named. */
export function identityRejection(type: RequestType, who: { idNumber?: unknown; name?: unknown }, account: Pick<Account, 'idNumber' | 'name'> | undefined): Decision | undefined {
  const named = NAMED_IDENTITY.includes(type);
  if (!account || account.idNumber !== who.idNumber) return reject(named ? 'NOT_FOUND' : 'MEMBER_NOT_MATCHED');
  if (account.name !== who.name) return reject(named ? 'NAME_MISMATCH' : 'MEMBER_NOT_MATCHED');
  return undefined;
}

/** Months covered by contribution ranges "YYYY-MM:YYYY-MM". */
export const monthsDeposited = (paidPeriods: readonly string[]) =>
  paidPeriods.reduce((n, r) => {
    const [a, b] = r.split(':');
    return n + monthsBetween(a, b) + 1;
  }, 0);

/** Interest to `today` and the whole balance that leaves with it; the account closes with `statusCode`. */
function closing(account: Account, today: string, policy: Policy, type: 'TRANSFER_OUT' | 'WITHDRAWAL', statusCode: '04' | '05', ref: string): Decision {
  const interestFen = interestDue(account, today, policy.interest).interestFen;
  const amountFen = account.balanceFen + interestFen;
  return {
    status: 'COMPLETED',
    result: { amount: fenToYuan(amountFen), interest: fenToYuan(interestFen), closedOn: today },
    effect: {
      settleInterestTo: today,
      postings: amountFen > 0 ? [{ amountFen: -amountFen, type, ref, valueDate: today, entryKey: `${type}-${ref}` }] : [],
      changes: { status: 'CLOSED', statusCode, closedOn: today },
    },
  };
}

/** The loans domain's flags of the member's account (loans public.ts `borrowerFlags`), as plain data. */
export interface LoanFlags {
  activeLoanId?: string;
  hasOverdueLoan: boolean;
}

/** TRANSFER_REQUEST and RETIREMENT_WITHDRAWAL: the member leaves us with the whole balance and interest to today. */
export function decideClosing(request: Pick<InboundRequest, 'trackingId' | 'type' | 'payload'>, account: Account | undefined, today: string, policy: Policy, loanFlags: LoanFlags): Decision {
  const refused = identityRejection(request.type, request.payload, account);
  if (refused || !account) return refused ?? reject('MEMBER_NOT_MATCHED');
  const hasLoan = !!loanFlags.activeLoanId;
  const ref = request.trackingId;
  if (request.type === 'TRANSFER_REQUEST') {
    if (account.status === 'CLOSED') return reject('ACCOUNT_CLOSED');
    if (account.status === 'FROZEN') return reject('ACCOUNT_FROZEN');
    if (account.status === 'NORMAL' && account.unitId) return reject('ACCOUNT_ACTIVE_UNDER_UNIT');
    if (hasLoan) return reject('LOAN_OUTSTANDING');
    return closing(account, today, policy, 'TRANSFER_OUT', '04', ref);
  }
  if (request.type !== 'RETIREMENT_WITHDRAWAL') throw new Error(`decideClosing: ${request.type}`);
  const p = request.payload as { retirementDate: string }; // canonical: checked by the edge (schemas.ts) before it was stored
  if (account.status === 'CLOSED') return reject('ACCOUNT_CLOSED');
  if (account.status === 'FROZEN') return reject('ACCOUNT_FROZEN');
  if (hasLoan) return reject('LOAN_OUTSTANDING');
  if (p.retirementDate > today) return reject('RETIREMENT_DATE_INVALID');
  return closing(account, today, policy, 'WITHDRAWAL', '05', ref);
}

// ---------- facts of the owning domains, as plain data (their public.ts contracts) ----------

// the types of the owning domains' public.ts (types only: nothing of theirs runs here)
export type LoanFact = LoanFacts;
export type DepositFact = DepositFacts;

/** Exactly the fields api.md gives a partner of each loan. */
export const loanResult = (l: LoanFact) => ({
  loanId: l.loanId,
  status: l.status,
  principal: l.principal,
  outstandingPrincipal: l.outstandingPrincipal,
  payoffAmountToday: l.payoffAmountToday,
  overdueInstallments: l.overdueInstallments,
});

/** BALANCE_INQUIRY (缴存贷款信息查询). */
export const balanceInquiryResult = (d: DepositFact, loans: readonly LoanFact[]) => ({
  status: d.status,
  balance: d.balance,
  monthlyBase: d.monthlyBase,
  monthlyAmount: d.monthlyAmount,
  lastPaidPeriod: d.lastPaidPeriod,
  loans: loans.map(loanResult),
});

/** DEPOSIT_CERTIFICATE (缴存使用证明): what the certificate `certificateNo` states. */
export const depositCertificateResult = (certificateNo: string, d: DepositFact, loans: readonly LoanFact[]) => ({
  certificateNo,
  status: d.status,
  openedOn: d.openedOn,
  monthsDeposited: d.monthsDeposited,
  consecutiveMonths: d.consecutiveMonths,
  monthlyBase: d.monthlyBase,
  monthlyAmount: d.monthlyAmount,
  balance: d.balance,
  lastPaidPeriod: d.lastPaidPeriod,
  loans: loans.map(loanResult),
});

/** LOAN_PAYOFF_CERTIFICATE (贷款全部还清证明). */
export const payoffCertificateDecision = (c: PayoffCertificate | undefined): Decision =>
  c ? { status: 'COMPLETED', result: { certificateNo: c.certificateNo, loanId: c.loanId, principal: c.principal, disbursedOn: c.disbursedOn, closedOn: c.closedOn } } : reject('NO_CLOSED_LOAN');

/** The loans domain's plan of a partner's full prepayment, as plain data. */
export type PrepaymentPlan = { ok: true; result: { loanId: string; paidAmount: string; closedOn: string; certificateNo: string } } | { ok: false; code: 'AMOUNT_MISMATCH' | 'NO_ACTIVE_LOAN'; message: string };

/** FULL_PREPAYMENT (提前还清贷款): the loans domain's refusal as it gave it (AMOUNT_MISMATCH names the payoff amount). */
export const prepaymentDecision = (p: PrepaymentPlan): Decision =>
  p.ok
    ? { status: 'COMPLETED', result: { loanId: p.result.loanId, paidAmount: p.result.paidAmount, closedOn: p.result.closedOn, certificateNo: p.result.certificateNo } }
    : { status: 'REJECTED', rejection: { code: p.code, message: p.message } };

/** The withdrawals domain's outcome of a partner's purchase withdrawal, as plain data. */
export interface WithdrawalOutcome {
  withdrawalId: string;
  status: 'PAID' | 'PENDING_REVIEW' | 'REJECTED';
  amount: string;
  rejection?: { code: string; message: string };
}

/** PURCHASE_WITHDRAWAL (购房提取): PAID completes, PENDING_REVIEW keeps the request processing, REJECTED carries the withdrawal's code. */
export function purchaseDecision(o: WithdrawalOutcome): Decision {
  if (o.status === 'PAID') return { status: 'COMPLETED', result: { withdrawalId: o.withdrawalId, amount: o.amount } };
  if (o.status === 'PENDING_REVIEW') return { status: 'PROCESSING', withdrawalId: o.withdrawalId };
  return { status: 'REJECTED', rejection: o.rejection ?? { code: 'REJECTED', message: 'The withdrawal was refused / 提取申请未通过' } };
}

/**
 * TRANSFER_CANCEL: the partner withdraws a TRANSFER_REQUEST it sent us while we have not accepted it
 * (domain.md §5). `original` is that request as read (undefined: we never received it).
 *  - not received: nothing moved; the cancel completes and its requestId is reserved as cancelled
 *    (a transfer request with it that arrives later is refused);
 *  - received or processing: the original becomes REJECTED with code CANCELLED (nothing moved), the
 *    cancel COMPLETED — in one transaction conditioned on the original's status as read, so that a
 *    cancel racing the transfer's processing and the transfer itself cannot both win;
 *  - COMPLETED → ALREADY_ACCEPTED; already REJECTED CANCELLED (a second cancel) → COMPLETED again;
 *    REJECTED otherwise → ALREADY_REJECTED; a request of another type → REQUEST_NOT_FOUND.
 */
export type CancelDecision =
  | { kind: 'CANCEL_UNRECEIVED'; decision: Decision }
  | { kind: 'CANCEL_ORIGINAL'; decision: Decision; original: InboundRequest }
  | { kind: 'ANSWER'; decision: Decision };

export function cancelDecision(requestId: string, original: InboundRequest | undefined): CancelDecision {
  if (!original) return { kind: 'CANCEL_UNRECEIVED', decision: { status: 'COMPLETED', result: { requestId, status: 'CANCELLED' } } };
  if (original.type !== 'TRANSFER_REQUEST') return { kind: 'ANSWER', decision: reject('REQUEST_NOT_FOUND') };
  const cancelled = { status: 'COMPLETED' as const, result: { requestId, trackingId: original.trackingId, status: 'CANCELLED' } };
  switch (original.status) {
    case 'COMPLETED':
      return { kind: 'ANSWER', decision: reject('ALREADY_ACCEPTED') };
    case 'REJECTED':
      return { kind: 'ANSWER', decision: original.rejection?.code === 'CANCELLED' ? cancelled : reject('ALREADY_REJECTED') };
    default:
      return { kind: 'CANCEL_ORIGINAL', decision: cancelled, original };
  }
}
