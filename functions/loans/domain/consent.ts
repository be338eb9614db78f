// Co-borrower consent (共同借款人授权, domain.md §4 "Co-borrowers"; api.md v1.1), pure: a co-borrower
// lends their balance to someone's loan only with a consent they gave with their own sign-in, valid
// for a number of days, used once (by the application that names them), withdrawable while unused.
import { DomainError } from '../../../shared/errors.ts';
import { addDays } from '../../../shared/clock.ts';

export type ConsentStatus = 'ACTIVE' | 'USED' | 'WITHDRAWN';

export interface CoBorrowerConsent {
  consentId: string;
  borrowerAccountNo: string;
  coBorrowerAccountNo: string;
  givenOn: string;
  /** Last day it may be used (inclusive). */
  validUntil: string;
  status: ConsentStatus;
  usedByLoanId?: string;
  usedOn?: string;
  withdrawnOn?: string;
  createdAt: string;
}

/** The one answer, whether the co-borrower's account exists or not (nothing about it is revealed). */
export const CONSENT_MISSING = 'CO_BORROWER_CONSENT_MISSING';
export const consentMissing = (): never => {
  throw new DomainError('NOT_ELIGIBLE', 'The co-borrower has not given a valid consent / 共同借款人未授权或授权已失效', [{ path: 'body.coBorrowerAccountNo', message: CONSENT_MISSING }]);
};

export function newConsent(input: { consentId: string; borrowerAccountNo: string; coBorrowerAccountNo: string; today: string; validDays: number; now: string }): CoBorrowerConsent {
  if (input.borrowerAccountNo === input.coBorrowerAccountNo) {
    throw new DomainError('VALIDATION_FAILED', 'A member cannot be their own co-borrower / 不能为本人授权共同借款', [{ path: 'body.borrowerAccountNo', message: 'same as your own account' }]);
  }
  return {
    consentId: input.consentId,
    borrowerAccountNo: input.borrowerAccountNo,
    coBorrowerAccountNo: input.coBorrowerAccountNo,
    givenOn: input.today,
    validUntil: addDays(input.today, input.validDays),
    status: 'ACTIVE',
    createdAt: input.now,
  };
}

/** Usable on `today` for this borrower. */
export const consentValid = (c: CoBorrowerConsent | undefined, borrowerAccountNo: string, today: string): c is CoBorrowerConsent =>
  !!c && c.status === 'ACTIVE' && c.borrowerAccountNo === borrowerAccountNo && today <= c.validUntil;

export function useConsent(c: CoBorrowerConsent, loanId: string, today: string): CoBorrowerConsent {
  return { ...c, status: 'USED', usedByLoanId: loanId, usedOn: today };
}

/** Withdrawal by the consenting member: an unused one only (a used one: 409 INVALID_STATE). */
export function withdrawConsent(c: CoBorrowerConsent, today: string): CoBorrowerConsent {
  if (c.status === 'USED') throw new DomainError('INVALID_STATE', `Consent ${c.consentId} was used by loan application ${c.usedByLoanId} / 授权已被贷款申请使用，不能撤回`);
  if (c.status === 'WITHDRAWN') return c;
  return { ...c, status: 'WITHDRAWN', withdrawnOn: today };
}

export const consentView = (c: CoBorrowerConsent) => ({ consentId: c.consentId, borrowerAccountNo: c.borrowerAccountNo, coBorrowerAccountNo: c.coBorrowerAccountNo, validUntil: c.validUntil });
