// A partner province's purchase withdrawal (跨省通办, issue 15) is one of our own PURCHASE withdrawals:
// the interprovincial worker plans it through withdrawals/public.ts and commits the items in its own
// transaction. Here the test is that caller: it plans, commits with shared/tx.ts commit, and then looks
// at the record through our own HTTP API (the record, the account's list, the review queue, staff
// approval and rejection, the archive) and at the ledger.
import { describe, it, expect } from 'vitest';
import { randomUUID } from 'node:crypto';
import { call, memberToken, staffToken, auditorToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { allEntries, mustGetAccount, type Account } from '../../shared/ledger/ledger.ts';
import { commit } from '../../shared/tx.ts';
import { addDays, businessDate, now } from '../../shared/clock.ts';
import { flagsWriteItem, getFlags } from '../../functions/loans/store.ts';
import { partnerWithdrawalIdOf, partnerWithdrawalOutcome, planPartnerPurchaseWithdrawal, type PartnerWithdrawalOutcome } from '../../functions/withdrawals/public.ts';

const branch = `WP${randomUUID().slice(0, 8)}`;
const PAYEE = '6222021234567890123';
const PARTNER = '110000';
const today = businessDate();
const recentPurchase = addDays(today, -30);

const property = () => `ZH-${randomUUID().toUpperCase()}`; // canonical already (the record keeps the canonical form)
const evidenceOf = (propertyCertificateNo = property(), price = '300000', extra: Record<string, string> = {}) => ({ contractNo: 'HT-P1', propertyCertificateNo, price, purchaseDate: recentPurchase, ...extra });

type Evidence = ReturnType<typeof evidenceOf>;

const funded = (balanceFen = 1_000_000, opts: Parameters<typeof openFundedAccount>[0] = {}) => openFundedAccount({ balanceFen, branch, ...opts });

const plan = (acc: Pick<Account, 'accountNo'>, amountFen: number, evidence: Evidence, trackingId = `T-${randomUUID()}`) =>
  planPartnerPurchaseWithdrawal({ accountNo: acc.accountNo, partner: PARTNER, trackingId, amountFen, evidence, today, at: now() });

/** What the interprovincial worker does: plan and commit the items in one transaction (re-planned on a lost race). */
async function partnerWithdraws(acc: Pick<Account, 'accountNo'>, amountFen: number, evidence: Evidence, trackingId = `T-${randomUUID()}`): Promise<PartnerWithdrawalOutcome & { planned: number }> {
  let planned = 0;
  const out = await commit({
    plan: async () => {
      const p = await plan(acc, amountFen, evidence, trackingId);
      planned = p.items.length;
      return { items: p.items, body: p.outcome };
    },
  });
  return { ...out.body, planned };
}

const memberWithdraws = async (acc: Account, amount: string, evidence: Evidence) =>
  call('POST', '/v1/withdrawals', { token: await memberToken(acc.accountNo), body: { accountNo: acc.accountNo, payeeBankAccount: PAYEE, reason: 'PURCHASE', amount, evidence } });

describe('a partner’s purchase withdrawal is one of our PURCHASE withdrawals', () => {
  it('PAID at once: the ledger debit is in the items; the record (channel, no payee), the list and the archive show it', async () => {
    const acc = await funded(1_000_000);
    const trackingId = `T-${randomUUID()}`;
    const evidence = evidenceOf(property(), '300000', { city: '北京市' });
    const first = await plan(acc, 150_000, evidence, trackingId);
    const withdrawalId = partnerWithdrawalIdOf(trackingId);
    expect(first.outcome).toEqual({ withdrawalId, status: 'PAID', amount: '1500.00' });
    expect(first.items.length).toBeGreaterThan(0);
    expect((await mustGetAccount(acc.accountNo)).balanceFen).toBe(1_000_000); // planned, not committed
    await commit({ plan: async () => ({ items: first.items, body: null }) });

    expect((await mustGetAccount(acc.accountNo)).balanceFen).toBe(850_000);
    const entries = await allEntries(acc.accountNo);
    expect(entries.filter((e) => e.type === 'WITHDRAWAL').map((e) => [e.amountFen, e.ref])).toEqual([[-150_000, withdrawalId]]);

    const staff = await staffToken(branch);
    const got = await call('GET', `/v1/withdrawals/${withdrawalId}`, { token: staff });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      withdrawalId,
      accountNo: acc.accountNo,
      reason: 'PURCHASE',
      reasonCode: '01',
      status: 'PAID',
      amount: '1500.00',
      requested: { amount: '1500.00' },
      channel: { partner: PARTNER, trackingId },
      evidence,
      submittedBy: { sub: PARTNER, role: 'partner' },
      paidOn: today,
      branch,
    });
    expect(got.body).not.toHaveProperty('payeeBankAccount');
    expect(got.body.entryIds).toHaveLength(1);
    const own = await call('GET', `/v1/withdrawals/${withdrawalId}`, { token: await memberToken(acc.accountNo) });
    expect([own.status, own.body.channel]).toEqual([200, { partner: PARTNER, trackingId }]);
    const list = await call('GET', `/v1/accounts/${acc.accountNo}/withdrawals`, { token: staff });
    expect(list.body.items.map((w: { withdrawalId: string }) => w.withdrawalId)).toEqual([withdrawalId]);

    const archive = await call('GET', `/v1/archive/WITHDRAWAL/${withdrawalId}`, { token: await auditorToken() });
    expect(archive.status).toBe(200);
    expect(archive.body.records).toHaveLength(1);
    expect(archive.body.records[0]).toMatchObject({
      action: 'SUBMIT',
      actor: { sub: PARTNER, role: 'partner' },
      submitted: { partner: PARTNER, trackingId, accountNo: acc.accountNo, reason: 'PURCHASE', amount: '1500.00', evidence },
      decision: { status: 'PAID', amount: '1500.00', channel: { partner: PARTNER, trackingId } },
    });

    // a redelivery: the existing outcome, nothing to write
    const again = await plan(acc, 150_000, evidence, trackingId);
    expect(again).toEqual({ items: [], outcome: first.outcome });
    expect(await partnerWithdrawalOutcome(withdrawalId)).toEqual(first.outcome);
    expect((await mustGetAccount(acc.accountNo)).balanceFen).toBe(850_000);
  });

  it('the property cap counts a member’s own withdrawal and a partner’s, either way round', async () => {
    // the member first: 2000 of a 3000 price withdrawn here, the partner may not take 1500 more
    const a = await funded(1_000_000);
    const cert = property();
    expect((await memberWithdraws(a, '2000', evidenceOf(cert, '3000'))).body.status).toBe('PAID');
    // the partner's document number in another case is the same property (the canonical form is the identity)
    const over = await partnerWithdraws(a, 150_000, evidenceOf(cert.toLowerCase(), '3000'));
    expect(over).toMatchObject({ status: 'REJECTED', amount: '1500.00', rejection: { code: 'POLICY_VIOLATION' } });
    expect(over.planned).toBe(0);
    expect(await partnerWithdrawalOutcome(over.withdrawalId)).toBeUndefined(); // no record: nothing changed
    expect((await mustGetAccount(a.accountNo)).balanceFen).toBe(800_000);
    // what is left under the cap is allowed (the same property again within 12 months: to review)
    const rest = await partnerWithdraws(a, 100_000, evidenceOf(cert, '3000'));
    expect(rest).toMatchObject({ status: 'PENDING_REVIEW', amount: '1000.00' });

    // the partner first: 2500 of a 3000 price, then another member here may not take 1000 (by anyone)
    const b = await funded(1_000_000);
    const c = await funded(1_000_000);
    const cert2 = property();
    expect(await partnerWithdraws(b, 250_000, evidenceOf(cert2, '3000'))).toMatchObject({ status: 'PAID', amount: '2500.00' });
    const res = await memberWithdraws(c, '1000', evidenceOf(cert2, '3000'));
    expect([res.status, res.body.code]).toEqual([422, 'POLICY_VIOLATION']);
    expect((await mustGetAccount(c.accountNo)).balanceFen).toBe(1_000_000);
    // and a partner withdrawal for a third account is capped by both as well
    const d = await funded(1_000_000);
    const third = await partnerWithdraws(d, 60_000, evidenceOf(cert2, '3000'));
    expect(third).toMatchObject({ status: 'REJECTED', rejection: { code: 'POLICY_VIOLATION' } });
    expect((await mustGetAccount(d.accountNo)).balanceFen).toBe(1_000_000);
  });

  it('a fraud rule sends it to our review queue; staff approve it as any other → PAID, debited then', async () => {
    const a = await funded(1_000_000);
    const b = await funded(1_000_000);
    const cert = property();
    expect((await memberWithdraws(a, '1000', evidenceOf(cert))).body.status).toBe('PAID');
    const trackingId = `T-${randomUUID()}`;
    const pending = await partnerWithdraws(b, 200_000, evidenceOf(cert), trackingId);
    expect(pending).toMatchObject({ withdrawalId: partnerWithdrawalIdOf(trackingId), status: 'PENDING_REVIEW', amount: '2000.00' });
    expect((await mustGetAccount(b.accountNo)).balanceFen).toBe(1_000_000); // nothing moves while under review
    const id = pending.withdrawalId;

    const staff = await staffToken(branch);
    const queue = await call('GET', `/v1/withdrawals?status=PENDING_REVIEW&branch=${branch}&limit=100`, { token: staff });
    expect(queue.status).toBe(200);
    const item = queue.body.items.find((w: { withdrawalId: string }) => w.withdrawalId === id);
    expect(item).toMatchObject({ status: 'PENDING_REVIEW', channel: { partner: PARTNER, trackingId }, reviewDueOn: addDays(today, 3), overdueForReview: false });
    expect(item.reviewReasons).toContain('PROPERTY_CLAIMED_BY_ANOTHER_ACCOUNT');

    // a redelivery while under review plans nothing and answers the same
    const again = await plan(b, 200_000, evidenceOf(cert), trackingId);
    expect(again.items).toEqual([]);
    expect(again.outcome).toMatchObject({ withdrawalId: id, status: 'PENDING_REVIEW' });

    const ok = await call('POST', `/v1/withdrawals/${id}/approve`, { token: staff, body: { note: '已核实' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'PAID', amount: '2000.00', paidOn: today, channel: { partner: PARTNER, trackingId } });
    expect(await partnerWithdrawalOutcome(id)).toEqual({ withdrawalId: id, status: 'PAID', amount: '2000.00' });
    expect((await mustGetAccount(b.accountNo)).balanceFen).toBe(800_000);
    expect((await allEntries(b.accountNo)).at(-1)).toMatchObject({ type: 'WITHDRAWAL', amountFen: -200_000, ref: id });
    const archive = await call('GET', `/v1/archive/WITHDRAWAL/${id}`, { token: await auditorToken() });
    expect(archive.body.records.map((r: { action: string; actor: { role: string } }) => [r.action, r.actor.role])).toEqual([
      ['SUBMIT', 'partner'],
      ['APPROVE', 'staff'],
    ]);
    const queueAfter = await call('GET', `/v1/withdrawals?status=PENDING_REVIEW&branch=${branch}&limit=100`, { token: staff });
    expect(queueAfter.body.items.map((w: { withdrawalId: string }) => w.withdrawalId)).not.toContain(id);
  });

  it('staff reject it → REJECTED with the review’s code; nothing is debited', async () => {
    const a = await funded(1_000_000);
    const cert = property();
    expect((await partnerWithdraws(a, 100_000, evidenceOf(cert))).status).toBe('PAID');
    const second = await partnerWithdraws(a, 100_000, evidenceOf(cert));
    expect(second).toMatchObject({ status: 'PENDING_REVIEW' });
    const rej = await call('POST', `/v1/withdrawals/${second.withdrawalId}/reject`, { token: await staffToken('*'), body: { note: '重复提取' } });
    expect(rej.status).toBe(200);
    expect(await partnerWithdrawalOutcome(second.withdrawalId)).toEqual({ withdrawalId: second.withdrawalId, status: 'REJECTED', amount: '1000.00', rejection: { code: 'REVIEW_REJECTED', message: '重复提取' } });
    expect((await mustGetAccount(a.accountNo)).balanceFen).toBe(900_000);
  });

  it('our refusals are the REJECTED outcome with the withdrawal’s own code, no items, nothing changed', async () => {
    const cases: [string, () => Promise<{ acc: Pick<Account, 'accountNo'>; amountFen: number; evidence: Evidence }>, string][] = [
      ['frozen', async () => ({ acc: await funded(1_000_000, { status: 'FROZEN' }), amountFen: 1000, evidence: evidenceOf() }), 'INVALID_STATE'],
      ['closed', async () => ({ acc: await funded(0, { status: 'CLOSED' }), amountFen: 1000, evidence: evidenceOf() }), 'INVALID_STATE'],
      [
        'overdue loan',
        async () => {
          const acc = await funded(1_000_000);
          await commit({ plan: async () => ({ items: [flagsWriteItem((await getFlags([acc.accountNo])).get(acc.accountNo)!, { hasOverdueLoan: true, activeLoanId: 'L-overdue' })], body: null }) });
          return { acc, amountFen: 1000, evidence: evidenceOf() };
        },
        'NOT_ELIGIBLE',
      ],
      ['over the balance', async () => ({ acc: await funded(100_000), amountFen: 100_001, evidence: evidenceOf() }), 'INSUFFICIENT_BALANCE'],
      ['over the price', async () => ({ acc: await funded(1_000_000), amountFen: 300_001, evidence: evidenceOf(property(), '3000') }), 'POLICY_VIOLATION'],
      ['purchase long ago', async () => ({ acc: await funded(1_000_000), amountFen: 1000, evidence: { ...evidenceOf(), purchaseDate: addDays(today, -800) } }), 'POLICY_VIOLATION'],
      ['evidence our route refuses', async () => ({ acc: await funded(1_000_000), amountFen: 1000, evidence: { ...evidenceOf(), price: 'abc' } }), 'VALIDATION_FAILED'],
      ['no amount', async () => ({ acc: await funded(1_000_000), amountFen: 0, evidence: evidenceOf() }), 'VALIDATION_FAILED'],
      ['unknown account', async () => ({ acc: { accountNo: '100000000009' }, amountFen: 1000, evidence: evidenceOf() }), 'NOT_FOUND'],
    ];
    for (const [name, setup, code] of cases) {
      const { acc, amountFen, evidence } = await setup();
      const before = name === 'unknown account' ? undefined : (await mustGetAccount(acc.accountNo)).balanceFen;
      const trackingId = `T-${randomUUID()}`;
      const out = await plan(acc, amountFen, evidence, trackingId);
      expect([name, out.items, out.outcome.status, out.outcome.rejection?.code]).toEqual([name, [], 'REJECTED', code]);
      expect(out.outcome.withdrawalId).toBe(partnerWithdrawalIdOf(trackingId));
      expect(out.outcome.rejection?.message.length).toBeGreaterThan(0);
      expect(await partnerWithdrawalOutcome(out.outcome.withdrawalId)).toBeUndefined();
      if (before !== undefined) expect((await mustGetAccount(acc.accountNo)).balanceFen).toBe(before);
    }
  });

  it('a concurrent redelivery of the same request pays once', async () => {
    const acc = await funded(1_000_000);
    const trackingId = `T-${randomUUID()}`;
    const evidence = evidenceOf();
    const outs = await Promise.all(Array.from({ length: 4 }, () => partnerWithdraws(acc, 100_000, evidence, trackingId)));
    expect(new Set(outs.map((o) => o.withdrawalId))).toEqual(new Set([partnerWithdrawalIdOf(trackingId)]));
    expect(outs.every((o) => o.status === 'PAID' && o.amount === '1000.00')).toBe(true);
    expect((await mustGetAccount(acc.accountNo)).balanceFen).toBe(900_000);
    expect((await allEntries(acc.accountNo)).filter((e) => e.type === 'WITHDRAWAL')).toHaveLength(1);
  });
});
