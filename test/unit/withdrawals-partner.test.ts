// A partner's purchase withdrawal (issue 15): the parts decided without I/O — the evidence it accepts
// (exactly a PURCHASE withdrawal's, canonical, plus the city), its deterministic id, the outcome read
// off the record, and the record's channel. Its rules are decideApplication's (withdrawals-domain).
import { describe, it, expect } from 'vitest';
import { partnerPurchaseEvidence } from '../../functions/withdrawals/schemas.ts';
import { outcomeOf, partnerWithdrawalIdOf } from '../../functions/withdrawals/usecases/partner.ts';
import { newWithdrawal, rejected, type ApplicationDecision } from '../../functions/withdrawals/domain/withdrawal.ts';
import { withdrawalView } from '../../functions/withdrawals/domain/views.ts';
import { policyOn } from '../../shared/policy.ts';
import { businessDate } from '../../shared/clock.ts';

const today = businessDate();
const evidence = { contractNo: 'ht-1', propertyCertificateNo: 'zh-001', price: '300000', purchaseDate: today };

describe('partner purchase evidence', () => {
  it('is a PURCHASE withdrawal’s evidence in its canonical form, with an optional city', () => {
    expect(partnerPurchaseEvidence.parse(evidence)).toEqual({ contractNo: 'HT-1', propertyCertificateNo: 'ZH-001', price: '300000', purchaseDate: today });
    expect(partnerPurchaseEvidence.parse({ ...evidence, city: '北京市' }).city).toBe('北京市');
  });
  it('refuses what our own route refuses: an unknown field, a bad price, a future date, a missing field', () => {
    expect(partnerPurchaseEvidence.safeParse({ ...evidence, payee: 'x' }).success).toBe(false);
    expect(partnerPurchaseEvidence.safeParse({ ...evidence, price: '0' }).success).toBe(false);
    expect(partnerPurchaseEvidence.safeParse({ ...evidence, price: '1e5' }).success).toBe(false);
    expect(partnerPurchaseEvidence.safeParse({ ...evidence, purchaseDate: '2999-01-01' }).success).toBe(false);
    const { contractNo: _c, ...missing } = evidence;
    expect(partnerPurchaseEvidence.safeParse(missing).success).toBe(false);
    expect(partnerPurchaseEvidence.safeParse({ ...evidence, propertyCertificateNo: 'ZH\u200b001' }).success).toBe(false); // invisible character
  });
});

describe('partner withdrawal id and outcome', () => {
  it('the id is derived from the tracking id: the same for a redelivery, another for another request', () => {
    expect(partnerWithdrawalIdOf('T-1')).toBe(partnerWithdrawalIdOf('T-1'));
    expect(partnerWithdrawalIdOf('T-1')).not.toBe(partnerWithdrawalIdOf('T-2'));
    expect(partnerWithdrawalIdOf('T-1')).toMatch(/^W[0-9A-Z]{24}$/);
  });

  const policy = policyOn(today);
  const record = (decision: ApplicationDecision) =>
    newWithdrawal({
      withdrawalId: partnerWithdrawalIdOf('T-9'),
      body: { accountNo: '100000000017', reason: 'PURCHASE', amount: 150_000, evidence: { contractNo: 'HT-1', propertyCertificateNo: 'ZH-001', price: '300000', purchaseDate: today } },
      decision,
      evidenceSha256: 'x',
      submittedBy: { sub: '110000', role: 'partner' },
      at: `${today}T01:00:00.000Z`,
      today,
      policy,
      entryIds: [],
      branch: 'SC',
      channel: { partner: '110000', trackingId: 'T-9' },
    });

  it('PAID and PENDING_REVIEW outcomes carry the id, status and amount; the record has the channel and no payee', () => {
    const paid = record({ status: 'PAID', amountFen: 150_000, interestFen: 0, closesAccount: false, reviewReasons: [] });
    expect(outcomeOf(paid)).toEqual({ withdrawalId: partnerWithdrawalIdOf('T-9'), status: 'PAID', amount: '1500.00' });
    expect(paid.channel).toEqual({ partner: '110000', trackingId: 'T-9' });
    expect(paid.payeeBankAccount).toBeUndefined();
    const view = withdrawalView(paid);
    expect(view).toMatchObject({ channel: { partner: '110000', trackingId: 'T-9' }, submittedBy: { sub: '110000', role: 'partner' }, reason: 'PURCHASE', reasonCode: '01' });
    expect(view).not.toHaveProperty('payeeBankAccount');
    const pending = record({ status: 'PENDING_REVIEW', amountFen: 150_000, interestFen: 0, closesAccount: false, reviewReasons: ['PROPERTY_CLAIMED_BY_ANOTHER_ACCOUNT'] });
    expect(outcomeOf(pending)).toEqual({ withdrawalId: partnerWithdrawalIdOf('T-9'), status: 'PENDING_REVIEW', amount: '1500.00' });
  });

  it('a staff rejection is the REJECTED outcome with the review’s code and note', () => {
    const pending = record({ status: 'PENDING_REVIEW', amountFen: 150_000, interestFen: 0, closesAccount: false, reviewReasons: ['PROPERTY_CLAIMED_WITHIN_REPEAT_WINDOW'] });
    expect(outcomeOf(rejected(pending, { sub: 's', role: 'staff' }, `${today}T02:00:00.000Z`, '重复提取'))).toEqual({
      withdrawalId: pending.withdrawalId,
      status: 'REJECTED',
      amount: '1500.00',
      rejection: { code: 'REVIEW_REJECTED', message: '重复提取' },
    });
  });

  it('a member’s own withdrawal has no channel', () => {
    const own = newWithdrawal({
      withdrawalId: 'W1',
      body: { accountNo: '100000000017', reason: 'RENT', amount: 100, payeeBankAccount: '6222021234567890123', evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'N1' } },
      decision: { status: 'PAID', amountFen: 100, interestFen: 0, closesAccount: false, reviewReasons: [] }, evidenceSha256: 'x', submittedBy: { sub: 'm', role: 'member' }, at: `${today}T01:00:00.000Z`, today, policy, entryIds: [] });
    expect(own).not.toHaveProperty('channel');
    expect(withdrawalView(own)).not.toHaveProperty('channel');
  });
});
