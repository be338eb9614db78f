import { describe, it, expect } from 'vitest';
import { applyWithdrawalBody, type ApplyWithdrawalBody } from '../../functions/withdrawals/schemas.ts';
import {
  decideApplication,
  assertApprovable,
  newWithdrawal,
  withClaim,
  withClaimDecided,
  spendingOf,
  ourLoanOf,
  overdueForReview,
  OVERDUE_LOAN_REPAYMENT_ONLY,
  type SpendingClaim,
  type ClaimEntry,
  type LoanFlags,
} from '../../functions/withdrawals/domain/withdrawal.ts';
import { applicationView, reviewQueueView } from '../../functions/withdrawals/domain/views.ts';
import { policyOn } from '../../shared/policy.ts';
import type { Account } from '../../shared/ledger/account.ts';
import { flexibleAccount } from '../support/accounts.ts';

const TODAY = '2026-11-27';
const policy = policyOn(TODAY);
const ACC = '123456789015'; // a well-formed account number (its Luhn check digit)

const account = (over: Partial<Account> = {}): Account => flexibleAccount({ accountNo: ACC, accrualDate: TODAY, ...over });

const base = { accountNo: ACC, payeeBankAccount: '6222021234567890123' };
const purchaseEvidence = { contractNo: 'HT-1', propertyCertificateNo: 'ZH-001', price: '300000', purchaseDate: '2026-10-01' };

/** Valid body per reason (request shape, before parsing). */
const validBodies: Record<string, Record<string, unknown>> = {
  PURCHASE: { ...base, reason: 'PURCHASE', amount: '1000', evidence: purchaseEvidence },
  OFFSITE_PURCHASE: { ...base, reason: 'OFFSITE_PURCHASE', amount: '1000', evidence: { ...purchaseEvidence, city: '杭州' } },
  BUILD_REPAIR: { ...base, reason: 'BUILD_REPAIR', amount: '1000', evidence: { permitNo: 'JZ-1', budget: '50000' } },
  RETIREMENT: { ...base, reason: 'RETIREMENT', full: true, evidence: { retirementDate: '2026-06-30' } },
  INCAPACITY: { ...base, reason: 'INCAPACITY', full: true, evidence: { certificateNo: 'SL-1' } },
  EMIGRATION: { ...base, reason: 'EMIGRATION', full: true, evidence: { certificateNo: 'CJ-1' } },
  DEATH: { ...base, reason: 'DEATH', full: true, evidence: { heirIdNumber: '11010519491231002X', heirName: '李四', deathCertificateNo: 'SW-1' } },
  HPF_LOAN_REPAYMENT: { ...base, reason: 'HPF_LOAN_REPAYMENT', amount: '1000', evidence: { centerCode: '310000', loanContractNo: 'GJJ-1' } },
  COMMERCIAL_LOAN_REPAYMENT: { ...base, reason: 'COMMERCIAL_LOAN_REPAYMENT', amount: '1000', evidence: { bankName: '中国银行', loanContractNo: 'SD-1', outstandingAmount: '200000' } },
  RENT: { ...base, reason: 'RENT', amount: '1000', evidence: { housingKind: 'PUBLIC_RENTAL', leaseContractNo: 'ZL-1', rentReceiptNo: 'SJ-1' } },
  ELEVATOR_RETROFIT: { ...base, reason: 'ELEVATOR_RETROFIT', amount: '1000', evidence: { projectFilingNo: 'DT-1', ownerShareAmount: '20000' } },
};

const parse = (b: unknown) => applyWithdrawalBody.safeParse(b);
const body = (reason: string, over: Record<string, unknown> = {}) => {
  const r = parse({ ...validBodies[reason], ...over });
  if (!r.success) throw new Error(JSON.stringify(r.error.issues));
  return r.data as ApplyWithdrawalBody;
};
const omit = (o: Record<string, unknown>, k: string) => Object.fromEntries(Object.entries(o).filter(([x]) => x !== k));

describe('withdrawal request schema (api.md evidence table)', () => {
  it.each(Object.keys(validBodies))('accepts the evidence of %s', (reason) => {
    expect(parse(validBodies[reason]).success).toBe(true);
  });

  const required = Object.entries(validBodies).flatMap(([reason, b]) =>
    Object.keys(b.evidence as object)
      .filter((k) => !(reason === 'HPF_LOAN_REPAYMENT')) // all optional there, see below
      .map((field) => [reason, field] as const),
  );
  it.each(required)('%s without %s is refused', (reason, field) => {
    const b = validBodies[reason];
    const r = parse({ ...b, evidence: omit(b.evidence as Record<string, unknown>, field) });
    expect(r.success).toBe(false);
  });

  it.each(Object.keys(validBodies))('%s refuses an unknown evidence field', (reason) => {
    const b = validBodies[reason];
    expect(parse({ ...b, evidence: { ...(b.evidence as object), extra: 'x' } }).success).toBe(false);
  });

  it('rent evidence follows the housing kind, nothing more', () => {
    const rent = (evidence: unknown) => parse({ ...validBodies.RENT, evidence }).success;
    expect(rent({ housingKind: 'AFFORDABLE_RENTAL', leaseContractNo: 'ZL-1', rentReceiptNo: 'SJ-1' })).toBe(true);
    expect(rent({ housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1' })).toBe(true);
    expect(rent({ housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1', spouseNoHouseCertificateNo: 'WF-2' })).toBe(true);
    expect(rent({ housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1', leaseContractNo: 'ZL-1' })).toBe(false);
    expect(rent({ housingKind: 'PUBLIC_RENTAL', leaseContractNo: 'ZL-1' })).toBe(false);
    expect(rent({ housingKind: 'PUBLIC_RENTAL', leaseContractNo: 'ZL-1', rentReceiptNo: 'SJ-1', noHouseCertificateNo: 'WF-1' })).toBe(false);
    expect(rent({ housingKind: 'VILLA', leaseContractNo: 'ZL-1', rentReceiptNo: 'SJ-1' })).toBe(false);
  });

  it('HPF loan repayment: our loan (loanId or none) or another center’s (centerCode + loanContractNo)', () => {
    const hpf = (evidence: unknown) => parse({ ...validBodies.HPF_LOAN_REPAYMENT, evidence }).success;
    expect(hpf({})).toBe(true);
    expect(hpf({ loanId: 'L1' })).toBe(true);
    expect(hpf({ centerCode: '310000' })).toBe(false);
    expect(hpf({ loanContractNo: 'GJJ-1' })).toBe(false);
    expect(hpf({ loanId: 'L1', centerCode: '310000', loanContractNo: 'GJJ-1' })).toBe(false);
  });

  it('HPF loan repayment of our loan: no payee needed, recalculation REDUCE_TERM | REDUCE_PAYMENT; another center’s loan needs the payee and takes no recalculation', () => {
    const ours = { ...omit(validBodies.HPF_LOAN_REPAYMENT, 'payeeBankAccount'), evidence: { loanId: 'L1' } };
    expect(parse(ours).success).toBe(true);
    expect(parse({ ...ours, recalculation: 'REDUCE_PAYMENT' }).success).toBe(true);
    expect(parse({ ...ours, recalculation: 'REDUCE_TERM' }).success).toBe(true);
    expect(parse({ ...ours, recalculation: 'REDUCE_RATE' }).success).toBe(false);
    expect(parse({ ...ours, payeeBankAccount: '6222021234567890123' }).success).toBe(true);
    const other = omit(validBodies.HPF_LOAN_REPAYMENT, 'payeeBankAccount');
    expect(parse(other).success).toBe(false);
    expect(parse({ ...validBodies.HPF_LOAN_REPAYMENT, recalculation: 'REDUCE_TERM' }).success).toBe(false);
    // only HPF_LOAN_REPAYMENT takes a recalculation; every other reason still needs its payee
    expect(parse({ ...validBodies.RENT, recalculation: 'REDUCE_TERM' }).success).toBe(false);
    expect(parse(omit(validBodies.RENT, 'payeeBankAccount')).success).toBe(false);
  });

  it('takes exactly one of amount and full: true, amounts as yuan strings', () => {
    expect(parse(omit(validBodies.RENT, 'amount')).success).toBe(false);
    expect(parse({ ...validBodies.RENT, full: true }).success).toBe(false);
    expect(parse({ ...omit(validBodies.RENT, 'amount'), full: true }).success).toBe(true);
    expect(parse({ ...omit(validBodies.RENT, 'amount'), full: false }).success).toBe(false);
    for (const bad of [1000, '0', '-5', '1.234', '1e3', ' 100']) expect(parse({ ...validBodies.RENT, amount: bad }).success).toBe(false);
    expect(parse({ ...validBodies.PURCHASE, evidence: { ...purchaseEvidence, price: 300000 } }).success).toBe(false);
    expect(parse({ ...validBodies.RETIREMENT, evidence: { retirementDate: '2026-02-30' } }).success).toBe(false);
    expect(parse({ ...validBodies.DEATH, evidence: { heirIdNumber: '110105194912310021', heirName: '李四', deathCertificateNo: 'SW-1' } }).success).toBe(false);
    expect(parse({ ...validBodies.RENT, reason: 'HOLIDAY' }).success).toBe(false);
    expect(parse({ ...validBodies.RENT, extra: 1 }).success).toBe(false);
  });
});

describe('applyWithdrawalBody: canonical document numbers (issue 14)', () => {
  it('outputs the canonical number; refuses invisible and look-alike characters instead of stripping them', () => {
    const withCert = (propertyCertificateNo: string) => parse({ ...validBodies.PURCHASE, evidence: { ...purchaseEvidence, propertyCertificateNo } });
    const ok = withCert('ｚｈ－００１');
    expect(ok.success && ok.data.evidence).toMatchObject({ propertyCertificateNo: 'ZH-001' });
    expect(ok.success && spendingOf(ok.data.reason, ok.data.evidence)).toMatchObject({ kind: 'PROPERTY', docNo: 'ZH-001' });
    for (const bad of ['ZH\u200b-001', 'ZH\u200c-001', 'ZH\u200d-001', 'ZH\u2060-001', 'ZH\u00ad-001', '\u0417H-001', 'ZH 001']) expect(withCert(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it('malformed or unbounded money is a validation failure, never a thrown error', () => {
    for (const bad of ['-5', '1e3', ' 100', '', '9999999999999.99', '1000000000.01']) {
      expect(() => parse({ ...validBodies.RENT, amount: bad })).not.toThrow();
      expect(parse({ ...validBodies.RENT, amount: bad }).success, bad).toBe(false);
      expect(parse({ ...validBodies.PURCHASE, evidence: { ...purchaseEvidence, price: bad } }).success, bad).toBe(false);
    }
    expect(parse({ ...validBodies.PURCHASE, evidence: { ...purchaseEvidence, price: '1000000000' } }).success).toBe(true);
  });
});

const noLoan: LoanFlags = { hasOverdueLoan: false };
const decide = (b: ApplyWithdrawalBody, acc = account(), claim?: SpendingClaim, loanFlags: LoanFlags = noLoan) => decideApplication({ account: acc, loanFlags, body: b, claim, today: TODAY, policy });
const claimOf = (entries: Partial<ClaimEntry>[], paidFen = 0): SpendingClaim => ({
  kind: 'PROPERTY',
  docNo: 'ZH-001',
  paidFen,
  version: entries.length,
  claims: entries.map((e, i) => ({ withdrawalId: `W${i}`, accountNo: ACC, claimedOn: '2025-01-01', amountFen: 1, status: 'PAID', ...e })),
});

describe('decideApplication', () => {
  it('relaxed reasons: any amount up to the balance, paid at once; more is INSUFFICIENT_BALANCE', () => {
    for (const reason of ['RENT', 'ELEVATOR_RETROFIT', 'COMMERCIAL_LOAN_REPAYMENT', 'HPF_LOAN_REPAYMENT', 'OFFSITE_PURCHASE']) {
      expect(decide(body(reason, { amount: '100000' }))).toMatchObject({ status: 'PAID', amountFen: 10_000_000 });
      expect(() => decide(body(reason, { amount: '100000.01' }))).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_BALANCE' }));
    }
    expect(() => decide(body('RENT'), account({ balanceFen: 0 }))).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_BALANCE' }));
    expect(decide(body('RENT', { amount: undefined, full: true }))).toMatchObject({ amountFen: 10_000_000 });
  });

  it('reason codes are JGJ/T 320 (and the local 71, 72)', () => {
    const codes = { PURCHASE: '01', BUILD_REPAIR: '02', RETIREMENT: '03', INCAPACITY: '04', EMIGRATION: '05', HPF_LOAN_REPAYMENT: '06', COMMERCIAL_LOAN_REPAYMENT: '06', RENT: '07', DEATH: '08', ELEVATOR_RETROFIT: '71', OFFSITE_PURCHASE: '72' };
    for (const [reason, code] of Object.entries(codes)) {
      const b = body(reason);
      const w = newWithdrawal({ withdrawalId: 'W1', body: b, decision: decide(b), evidenceSha256: 'h', submittedBy: { sub: 's', role: 'member' }, at: 'now', today: TODAY, policy, entryIds: [] });
      expect(w.reasonCode).toBe(code);
    }
  });

  it('purchase: capped by the price less what anyone already withdrew for the property', () => {
    const paid = claimOf([{ accountNo: ACC, claimedOn: '2025-06-01' }], 25_000_000); // 250,000.00 of 300,000.00
    expect(() => decide(body('PURCHASE', { amount: '50000.01' }), account(), paid)).toThrow(expect.objectContaining({ code: 'POLICY_VIOLATION' }));
    expect(decide(body('PURCHASE', { amount: '50000' }), account(), paid)).toMatchObject({ status: 'PAID', amountFen: 5_000_000 });
    expect(decide(body('PURCHASE', { amount: undefined, full: true }), account(), paid)).toMatchObject({ amountFen: 5_000_000 });
    expect(() => decide(body('PURCHASE', { amount: undefined, full: true }), account(), claimOf([{ claimedOn: '2025-06-01' }], 30_000_000))).toThrow(
      expect.objectContaining({ code: 'POLICY_VIOLATION' }),
    );
    // the balance binds first
    expect(() => decide(body('PURCHASE', { amount: '150000' }))).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_BALANCE' }));
  });

  it('one property is one claim however its certificate number is typed', () => {
    const ref = (propertyCertificateNo: string) => spendingOf('PURCHASE', { ...purchaseEvidence, propertyCertificateNo })?.docNo;
    expect(ref('zh-001')).toBe('ZH-001');
    expect(ref('ＺＨ－００１')).toBe('ZH-001');
    expect(ref('ZH - 001')).toBe('ZH-001');
    expect(spendingOf('RENT', { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1' })).toBeUndefined();
  });

  it('purchase date within one year before today', () => {
    const at = (purchaseDate: string) => () => decide(body('PURCHASE', { evidence: { ...purchaseEvidence, purchaseDate } }));
    expect(at('2025-11-27')).not.toThrow();
    expect(at('2025-11-26')).toThrow(expect.objectContaining({ code: 'POLICY_VIOLATION' }));
    expect(at('2026-11-28')).toThrow(expect.objectContaining({ code: 'POLICY_VIOLATION' }));
  });

  it('build/repair: capped by the budget less what was withdrawn under the permit', () => {
    expect(() => decide(body('BUILD_REPAIR', { amount: '50000.01' }))).toThrow(expect.objectContaining({ code: 'POLICY_VIOLATION' }));
    expect(decide(body('BUILD_REPAIR', { amount: undefined, full: true }))).toMatchObject({ amountFen: 5_000_000 });
    const permit: SpendingClaim = { ...claimOf([{ claimedOn: '2026-11-01' }], 4_000_000), kind: 'PERMIT', docNo: 'JZ-1' };
    expect(decide(body('BUILD_REPAIR', { amount: undefined, full: true }), account(), permit)).toMatchObject({ status: 'PAID', amountFen: 1_000_000 });
  });

  it('fraud rules send a purchase to review: another account, or a claim within 12 months', () => {
    const other = claimOf([{ accountNo: '999999999999', claimedOn: '2024-01-01' }]);
    expect(decide(body('PURCHASE'), account(), other)).toMatchObject({ status: 'PENDING_REVIEW', reviewReasons: ['PROPERTY_CLAIMED_BY_ANOTHER_ACCOUNT'] });
    expect(decide(body('OFFSITE_PURCHASE'), account(), other)).toMatchObject({ status: 'PENDING_REVIEW' });
    expect(decide(body('PURCHASE'), account(), claimOf([{ claimedOn: '2025-12-01' }]))).toMatchObject({ status: 'PENDING_REVIEW', reviewReasons: ['PROPERTY_CLAIMED_WITHIN_REPEAT_WINDOW'] });
    expect(decide(body('PURCHASE'), account(), claimOf([{ claimedOn: '2025-11-27' }]))).toMatchObject({ status: 'PAID', reviewReasons: [] });
    expect(decide(body('PURCHASE'), account(), claimOf([{ accountNo: '999999999999', claimedOn: '2026-11-01', status: 'REJECTED' }]))).toMatchObject({ status: 'PAID' });
  });

  it('closing reasons withdraw balance + interest to date (1.50% / 360) and close', () => {
    // 10,000.00 since 2026-07-01: 149 days to 2026-11-27 → 1,000,000 × 149 × 0.015 / 360 = 6,208.33 fen → 62.08
    const acc = account({ balanceFen: 1_000_000, accrualDate: '2026-07-01' });
    for (const reason of ['RETIREMENT', 'INCAPACITY', 'EMIGRATION', 'DEATH']) {
      expect(decide(body(reason), acc)).toEqual({ status: 'PAID', amountFen: 1_006_208, interestFen: 6_208, closesAccount: true, reviewReasons: [] });
    }
    expect(() => decide(body('RETIREMENT', { full: undefined, amount: '100' }), acc)).toThrow(expect.objectContaining({ code: 'POLICY_VIOLATION' }));
    expect(() => decide(body('RETIREMENT', { evidence: { retirementDate: '2026-11-28' } }), acc)).toThrow(expect.objectContaining({ code: 'NOT_ELIGIBLE' }));
    expect(decide(body('RETIREMENT'), account({ balanceFen: 0 }))).toMatchObject({ status: 'PAID', amountFen: 0 });
  });

  it('frozen and closed accounts cannot withdraw; an overdue loan allows only HPF_LOAN_REPAYMENT', () => {
    for (const status of ['FROZEN', 'CLOSED'] as const) {
      expect(() => decide(body('RENT'), account({ status }))).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
      expect(() => decide(body('RETIREMENT'), account({ status }))).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    }
    expect(decide(body('RENT'), account({ status: 'SEALED' }))).toMatchObject({ status: 'PAID' });
    const overdue: LoanFlags = { hasOverdueLoan: true, activeLoanId: 'L1' };
    const acc = account();
    expect(() => decide(body('RENT'), acc, undefined, overdue)).toThrow(expect.objectContaining({ code: 'NOT_ELIGIBLE', errors: [{ path: 'body.reason', message: OVERDUE_LOAN_REPAYMENT_ONLY }] }));
    expect(() => decide(body('COMMERCIAL_LOAN_REPAYMENT'), acc, undefined, overdue)).toThrow(expect.objectContaining({ code: 'NOT_ELIGIBLE' }));
    // only to repay the overdue loan itself: another center's loan is not "it"
    expect(() => decide(body('HPF_LOAN_REPAYMENT'), acc, undefined, overdue)).toThrow(expect.objectContaining({ code: 'NOT_ELIGIBLE', errors: [{ path: 'body.reason', message: OVERDUE_LOAN_REPAYMENT_ONLY }] }));
    expect(decide(body('HPF_LOAN_REPAYMENT', { evidence: { loanId: 'L1' } }), acc, undefined, overdue)).toMatchObject({ status: 'PAID', repaysLoanId: 'L1' });
    // frozen wins over overdue: a frozen borrower cannot even repay (409 INVALID_STATE)
    expect(() => decide(body('HPF_LOAN_REPAYMENT', { evidence: {} }), account({ status: 'FROZEN' }), undefined, overdue)).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(() => decide(body('RETIREMENT'), acc, undefined, overdue)).toThrow(expect.objectContaining({ code: 'NOT_ELIGIBLE' }));
    expect(decide(body('HPF_LOAN_REPAYMENT', { evidence: {} }), acc, undefined, overdue)).toMatchObject({ status: 'PAID' });
  });

  it('HPF loan repayment of our own loan: no loan named and none active is refused; a named loan goes to the loans domain', () => {
    expect(() => decide(body('HPF_LOAN_REPAYMENT', { evidence: {} }))).toThrow(expect.objectContaining({ code: 'NOT_ELIGIBLE' }));
    // whether the account is a party of a named loan, and whether it is ACTIVE, is decided by the loans
    // domain's plan in the same transaction (an unknown loan → 404: test/e2e/withdrawals-api.test.ts)
    const l1: LoanFlags = { activeLoanId: 'L1', hasOverdueLoan: false };
    expect(decide(body('HPF_LOAN_REPAYMENT', { evidence: { loanId: 'L2' } }), account(), undefined, l1)).toMatchObject({ status: 'PAID', repaysLoanId: 'L2' });
    expect(decide(body('HPF_LOAN_REPAYMENT', { evidence: { loanId: 'L1' } }), account(), undefined, l1)).toMatchObject({ status: 'PAID' });
  });

  it('our loan is paid in the same transaction (repaysLoanId); another center’s is paid out as before', () => {
    const acc = account();
    const l1: LoanFlags = { activeLoanId: 'L1', hasOverdueLoan: false };
    expect(decide(body('HPF_LOAN_REPAYMENT', { evidence: { loanId: 'L1' } }), acc, undefined, l1)).toMatchObject({ status: 'PAID', amountFen: 100_000, repaysLoanId: 'L1', reviewReasons: [] });
    expect(decide(body('HPF_LOAN_REPAYMENT', { evidence: {} }), acc, undefined, l1)).toMatchObject({ repaysLoanId: 'L1' });
    // full: the balance as the upper bound; the loans domain's plan settles min(balance, payoff)
    expect(decide(body('HPF_LOAN_REPAYMENT', { evidence: {}, amount: undefined, full: true }), acc, undefined, l1)).toMatchObject({ amountFen: 10_000_000, repaysLoanId: 'L1' });
    expect(() => decide(body('HPF_LOAN_REPAYMENT', { evidence: {}, amount: '100000.01' }), acc, undefined, l1)).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_BALANCE' }));
    expect(() => decide(body('HPF_LOAN_REPAYMENT', { evidence: {} }), account({ balanceFen: 0 }), undefined, l1)).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_BALANCE' }));
    const other = decide(body('HPF_LOAN_REPAYMENT'), acc, undefined, l1);
    expect(other.repaysLoanId).toBeUndefined();
    expect(ourLoanOf(body('HPF_LOAN_REPAYMENT'), l1)).toBeUndefined();
    expect(ourLoanOf(body('RENT'), l1)).toBeUndefined();
    expect(ourLoanOf(body('HPF_LOAN_REPAYMENT', { evidence: { loanId: 'L1' } }), {})).toBe('L1');
  });
});

describe('claims and review transitions', () => {
  const b = body('PURCHASE', { amount: '100000' });
  const pending = newWithdrawal({
    withdrawalId: 'W9',
    body: b,
    decision: { status: 'PENDING_REVIEW', amountFen: 10_000_000, interestFen: 0, closesAccount: false, reviewReasons: ['PROPERTY_CLAIMED_BY_ANOTHER_ACCOUNT'] },
    evidenceSha256: 'h',
    submittedBy: { sub: 'm', role: 'member' },
    at: '2026-11-27T01:00:00.000Z',
    today: TODAY,
    policy,
    entryIds: [],
  });

  it('a pending claim does not count against the cap until approved; a rejected one never', () => {
    expect(pending.reviewDueOn).toBe('2026-11-30'); // decided within 3 days (Art. 25)
    const c1 = withClaim(undefined, { kind: 'PROPERTY', docNo: 'ZH-001' }, pending, TODAY);
    expect(c1).toMatchObject({ paidFen: 0, version: 1, claims: [{ withdrawalId: 'W9', status: 'PENDING_REVIEW', claimedOn: TODAY }] });
    expect(withClaimDecided(c1, { ...pending, status: 'PAID' })).toMatchObject({ paidFen: 10_000_000, version: 2, claims: [{ status: 'PAID' }] });
    expect(withClaimDecided(c1, { ...pending, status: 'REJECTED' })).toMatchObject({ paidFen: 0, version: 2, claims: [{ status: 'REJECTED' }] });
  });

  it('the review queue item: due 3 days after submission, overdue for review once that day has passed', () => {
    expect(overdueForReview(pending, '2026-11-30')).toBe(false);
    expect(overdueForReview(pending, '2026-12-01')).toBe(true);
    expect(overdueForReview({ ...pending, status: 'PAID' }, '2026-12-01')).toBe(false);
    expect(reviewQueueView(pending, '2026-11-29')).toMatchObject({ withdrawalId: 'W9', status: 'PENDING_REVIEW', amount: '100000.00', reviewDueOn: '2026-11-30', overdueForReview: false });
    expect(reviewQueueView(pending, '2026-12-01').overdueForReview).toBe(true);
    expect(applicationView(pending)).not.toHaveProperty('loanRepayment');
  });

  it('a loan repayment shows what it paid on the loan in yuan', () => {
    const w = newWithdrawal({
      withdrawalId: 'W10',
      body: body('HPF_LOAN_REPAYMENT', { evidence: { loanId: 'L1' }, payeeBankAccount: undefined }),
      decision: { status: 'PAID', amountFen: 123_456, interestFen: 0, closesAccount: false, reviewReasons: [], repaysLoanId: 'L1' },
      evidenceSha256: 'h',
      submittedBy: { sub: 'm', role: 'member' },
      at: '2026-11-27T01:00:00.000Z',
      today: TODAY,
      policy,
      entryIds: ['E1'],
      branch: 'SC',
      loanRepayment: { loanId: 'L1', recalculation: 'REDUCE_TERM', installmentsPaid: [1, 2], principalPrepaidFen: 100_005, outstandingPrincipalFen: 9_899_995, loanStatus: 'ACTIVE' },
    });
    expect(applicationView(w)).toEqual({
      withdrawalId: 'W10',
      accountNo: ACC,
      reason: 'HPF_LOAN_REPAYMENT',
      reasonCode: '06',
      status: 'PAID',
      amount: '1234.56',
      loanRepayment: { loanId: 'L1', installmentsPaid: [1, 2], principalPrepaid: '1000.05', outstandingPrincipal: '98999.95', recalculation: 'REDUCE_TERM', loanStatus: 'ACTIVE' },
    });
    expect(w).toMatchObject({ branch: 'SC', paidOn: TODAY, payeeBankAccount: undefined, entryIds: ['E1'] });
  });

  it('approval re-checks state, balance and cap', () => {
    expect(() => assertApprovable(pending, account(), noLoan, undefined)).not.toThrow();
    expect(() => assertApprovable(pending, account({ balanceFen: 9_999_999 }), noLoan, undefined)).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_BALANCE' }));
    expect(() => assertApprovable(pending, account({ status: 'FROZEN' }), noLoan, undefined)).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
    expect(() => assertApprovable(pending, account(), { activeLoanId: 'L1', hasOverdueLoan: true }, undefined)).toThrow(expect.objectContaining({ code: 'NOT_ELIGIBLE' }));
    expect(() => assertApprovable(pending, account(), noLoan, claimOf([{}], 20_000_001))).toThrow(expect.objectContaining({ code: 'POLICY_VIOLATION' }));
    expect(() => assertApprovable({ ...pending, status: 'PAID' }, account(), noLoan, undefined)).toThrow(expect.objectContaining({ code: 'INVALID_STATE' }));
  });
});
