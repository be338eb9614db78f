// Numbers of the loans domain that are not (yet) in shared/policy.ts (the kernel's policy, owned by
// the coordinator). Each names its source; move it into the policy when the policy gains it.

/**
 * A co-borrower's consent (共同借款人授权) is valid for 90 days from the day it is given
 * (domain.md §4 "Co-borrowers"; api.md v1.1 POST /v1/co-borrower-consents).
 */
export const CO_BORROWER_CONSENT_VALID_DAYS = 90;

/** Day basis of the interest to the day in a payoff amount: principal × annual rate / 360 × days (domain.md §4). */
export const LOAN_INTEREST_DAY_BASIS = 360;

/** The loans domain's fund flows (money that moves in the fund but not through a personal account). */
export const LOAN_FLOWS = {
  DISBURSEMENT: 'LOAN_DISBURSEMENT',
  PRINCIPAL: 'LOAN_REPAYMENT',
  INTEREST: 'LOAN_INTEREST',
  PENALTY: 'PENALTY_INTEREST',
} as const;
