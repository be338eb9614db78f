// What we answer to a partner's request (domain.md §5), pure: identity check, the rules of each
// request type, and the ledger write that carries its effect.
//
// Decisions (documented for reviewers and partners):
//  - Identity: payload idNumber AND name must match our account. Any mismatch gets the same rejection
//    as "no such member" (MEMBER_NOT_MATCHED), so that a partner cannot probe names or ID numbers.
//  - TRANSFER_REQUEST (转出): refused when the account is CLOSED, FROZEN, active under a unit (NORMAL
//    with a unit: the unit must seal it first) or has an HPF loan outstanding. Otherwise interest is
//    settled to today, the whole balance leaves as TRANSFER_OUT and the account closes with code 04.
//  - RETIREMENT_WITHDRAWAL: like a closing withdrawal (status code 05): interest to today, the whole
//    balance as WITHDRAWAL. Refused for a CLOSED or FROZEN account, a retirement date in the future,
//    or an HPF loan outstanding (repay or settle it here first: the loans domain is not ours to touch).
//  - PURCHASE_WITHDRAWAL: debits the requested amount, which must not exceed the price nor the
//    balance; the purchase date must be within the policy window (purchaseWithinYears) and not in the
//    future. Refused for a CLOSED or FROZEN account or an overdue HPF loan. Limitation: the same-property
//    cap across members lives in the withdrawals domain and is not checked for partner requests.
//  - LOAN_PAYOFF_CERTIFICATE: answered from the account's loan flag (the loans domain's data is not
//    ours): with no HPF loan outstanding the member gets a statement that none is; otherwise refused.
//  - FULL_PREPAYMENT: not handled over the partner channel (loans belong to the loans domain): always
//    refused with FULL_PREPAYMENT_NOT_SUPPORTED (or NO_ACTIVE_LOAN when there is no loan to repay).
import { fenToYuan, yuanToFen } from '../../../shared/money.ts';
import { maskResidentId } from '../../../shared/validators.ts';
import { monthsBetween } from '../../../shared/clock.ts';
import { interestDue, type Account, type AccountChanges, type Posting } from '../../../shared/ledger/ledger.ts';
import type { Policy } from '../../../shared/policy.ts';
import type { PurchasePayload, RetirementPayload } from '../schemas.ts';
import type { InboundRequest, Rejection } from './types.ts';

export const REJECTIONS = {
  MEMBER_NOT_MATCHED: 'No member matches the identity given / 未查询到与所提供身份信息一致的缴存职工',
  ACCOUNT_CLOSED: 'The account is closed / 账户已销户',
  ACCOUNT_FROZEN: 'The account is frozen / 账户已冻结',
  ACCOUNT_ACTIVE_UNDER_UNIT: 'The account is still active under an employer: it must be sealed first / 账户仍在单位正常缴存，须先封存',
  LOAN_OUTSTANDING: 'An HPF loan is outstanding / 存在未结清的公积金贷款',
  OVERDUE_LOAN: 'An HPF loan is overdue / 存在逾期的公积金贷款',
  RETIREMENT_DATE_INVALID: 'The retirement date is in the future / 退休日期晚于今日',
  PURCHASE_DATE_INVALID: 'The purchase date is outside the allowed window / 购房日期不在可提取期限内',
  AMOUNT_EXCEEDS_PRICE: 'The amount exceeds the house price / 提取金额超过房价',
  INSUFFICIENT_BALANCE: 'The amount exceeds the balance / 提取金额超过账户余额',
  NO_ACTIVE_LOAN: 'No HPF loan is outstanding / 无未结清的公积金贷款',
  FULL_PREPAYMENT_NOT_SUPPORTED: 'Full prepayment is handled by the lending center, not over this channel / 提前还清贷款请至贷款中心办理',
} as const;
export type RejectionCode = keyof typeof REJECTIONS;

/** The ledger effect of a completed request (the account is added by the caller). */
export interface Effect {
  postings: Posting[];
  changes?: AccountChanges;
  settleInterestTo?: string;
}

export type Decision = { status: 'REJECTED'; rejection: Rejection } | { status: 'COMPLETED'; result: Record<string, unknown>; effect?: Effect };

const reject = (code: RejectionCode): Decision => ({ status: 'REJECTED', rejection: { code, message: REJECTIONS[code] } });

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

export function decide(request: Pick<InboundRequest, 'trackingId' | 'type' | 'payload'>, account: Account | undefined, today: string, policy: Policy, loanFlags: LoanFlags): Decision {
  const { idNumber, name } = request.payload;
  if (!account || account.idNumber !== idNumber || account.name !== name) return reject('MEMBER_NOT_MATCHED');
  const hasLoan = !!loanFlags.activeLoanId;
  const ref = request.trackingId;
  switch (request.type) {
    case 'BALANCE_INQUIRY':
      return {
        status: 'COMPLETED',
        result: {
          accountNo: account.accountNo,
          name: account.name,
          idNumberMasked: maskResidentId(account.idNumber),
          status: account.status,
          balance: fenToYuan(account.balanceFen),
          monthlyBase: fenToYuan(account.monthlyBaseFen),
          monthlyAmount: fenToYuan(account.monthlyAmountFen),
          lastPaidPeriod: account.lastPaidPeriod ?? null,
          hasHpfLoan: hasLoan,
          asOf: today,
        },
      };
    case 'DEPOSIT_CERTIFICATE': {
      const paid = account.paidPeriods ?? [];
      return {
        status: 'COMPLETED',
        result: {
          name: account.name,
          idNumberMasked: maskResidentId(account.idNumber),
          status: account.status,
          openedOn: account.openedOn,
          monthsDeposited: monthsDeposited(paid),
          firstPaidPeriod: paid.length ? paid[0].split(':')[0] : null,
          lastPaidPeriod: account.lastPaidPeriod ?? (paid.length ? paid[paid.length - 1].split(':')[1] : null),
          monthlyBase: fenToYuan(account.monthlyBaseFen),
          balance: fenToYuan(account.balanceFen),
          hasHpfLoan: hasLoan,
          issuedOn: today,
        },
      };
    }
    case 'TRANSFER_REQUEST':
      if (account.status === 'CLOSED') return reject('ACCOUNT_CLOSED');
      if (account.status === 'FROZEN') return reject('ACCOUNT_FROZEN');
      if (account.status === 'NORMAL' && account.unitId) return reject('ACCOUNT_ACTIVE_UNDER_UNIT');
      if (hasLoan) return reject('LOAN_OUTSTANDING');
      return closing(account, today, policy, 'TRANSFER_OUT', '04', ref);
    case 'RETIREMENT_WITHDRAWAL': {
      const p = request.payload as RetirementPayload; // canonical: checked by the edge (schemas.ts) before it was stored
      if (account.status === 'CLOSED') return reject('ACCOUNT_CLOSED');
      if (account.status === 'FROZEN') return reject('ACCOUNT_FROZEN');
      if (hasLoan) return reject('LOAN_OUTSTANDING');
      if (p.retirementDate > today) return reject('RETIREMENT_DATE_INVALID');
      return closing(account, today, policy, 'WITHDRAWAL', '05', ref);
    }
    case 'PURCHASE_WITHDRAWAL': {
      const p = request.payload as PurchasePayload; // canonical: checked by the edge (schemas.ts) before it was stored
      const amountFen = yuanToFen(p.amount);
      if (account.status === 'CLOSED') return reject('ACCOUNT_CLOSED');
      if (account.status === 'FROZEN') return reject('ACCOUNT_FROZEN');
      if (loanFlags.hasOverdueLoan) return reject('OVERDUE_LOAN');
      const earliest = `${Number(today.slice(0, 4)) - policy.withdrawals.purchaseWithinYears}${today.slice(4)}`;
      if (p.purchaseDate > today || p.purchaseDate < earliest) return reject('PURCHASE_DATE_INVALID');
      if (amountFen > yuanToFen(p.price)) return reject('AMOUNT_EXCEEDS_PRICE');
      if (amountFen > account.balanceFen) return reject('INSUFFICIENT_BALANCE');
      return {
        status: 'COMPLETED',
        result: { amount: fenToYuan(amountFen), balance: fenToYuan(account.balanceFen - amountFen), paidOn: today },
        effect: { postings: [{ amountFen: -amountFen, type: 'WITHDRAWAL', ref, valueDate: today, entryKey: `WITHDRAWAL-${ref}`, memo: `PURCHASE ${p.propertyCertificateNo}` }] },
      };
    }
    case 'LOAN_PAYOFF_CERTIFICATE':
      if (hasLoan) return reject('LOAN_OUTSTANDING');
      return {
        status: 'COMPLETED',
        result: {
          certificate: 'NO_OUTSTANDING_HPF_LOAN',
          name: account.name,
          idNumberMasked: maskResidentId(account.idNumber),
          statement: 'The member has no HPF loan outstanding with this center / 该职工在本中心无未结清的住房公积金贷款',
          issuedOn: today,
        },
      };
    case 'FULL_PREPAYMENT':
      return reject(hasLoan ? 'FULL_PREPAYMENT_NOT_SUPPORTED' : 'NO_ACTIVE_LOAN');
  }
}
