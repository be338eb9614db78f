// Withdrawals over HTTP against the local runtime (gateway → withdrawals function → DynamoDB Local).
import { describe, it, expect } from 'vitest';
import { createHash, randomUUID } from 'node:crypto';
import { call, memberToken, staffToken, auditorToken, unitToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { allEntries, controlTotals, ledgerWrite, mustGetAccount, type Account } from '../../shared/ledger/ledger.ts';
import { commit } from '../../shared/tx.ts';
import { flagsWriteItem, getFlags } from '../../functions/loans/store.ts';
import { addDays, businessDate, daysBetween } from '../../shared/clock.ts';

const branch = `WD${randomUUID().slice(0, 8)}`;
const PAYEE = '6222021234567890123';
const today = businessDate();
const recentPurchase = addDays(today, -30);

interface Member {
  acc: Account;
  token: string;
}

async function member(balanceFen = 1_000_000, opts: Parameters<typeof openFundedAccount>[0] = {}): Promise<Member> {
  const acc = await openFundedAccount({ balanceFen, branch, ...opts });
  return { acc, token: await memberToken(acc.accountNo) };
}

const withdraw = (m: Member, body: Record<string, unknown>, idem?: string) =>
  call('POST', '/v1/withdrawals', { token: m.token, body: { accountNo: m.acc.accountNo, payeeBankAccount: PAYEE, ...body }, idem });

const property = () => `ZH-${randomUUID()}`;
const purchase = (propertyCertificateNo = property(), price = '300000') => ({ contractNo: 'HT-1', propertyCertificateNo, price, purchaseDate: recentPurchase });

/** Deposit interest by domain.md §2: per interest year (July 1 – June 30) round(Σ balance·days × 1.50% / 360), half-up. */
function interestSince(balanceFen: number, from: string, to: string): number {
  let total = 0n;
  let start = from;
  while (start < to) {
    const y = Number(start.slice(0, 4)) + (Number(start.slice(5, 7)) >= 7 ? 1 : 0);
    const end = `${y}-07-01` < to ? `${y}-07-01` : to;
    const fenDays = BigInt(balanceFen) * BigInt(daysBetween(start, end));
    total += (fenDays * 15n * 2n + 360_000n) / 720_000n; // × 0.015 / 360, half-up
    start = end;
  }
  return Number(total);
}

const evidenceByReason: Record<string, () => Record<string, unknown>> = {
  PURCHASE: () => purchase(),
  OFFSITE_PURCHASE: () => ({ ...purchase(), city: '杭州' }),
  BUILD_REPAIR: () => ({ permitNo: `JZ-${randomUUID()}`, budget: '50000' }),
  RETIREMENT: () => ({ retirementDate: '2026-01-31' }),
  INCAPACITY: () => ({ certificateNo: 'SL-1' }),
  EMIGRATION: () => ({ certificateNo: 'CJ-1' }),
  DEATH: () => ({ heirIdNumber: '11010519491231002X', heirName: '李四', deathCertificateNo: 'SW-1' }),
  HPF_LOAN_REPAYMENT: () => ({ centerCode: '310000', loanContractNo: 'GJJ-1' }),
  COMMERCIAL_LOAN_REPAYMENT: () => ({ bankName: '中国银行', loanContractNo: 'SD-1', outstandingAmount: '200000' }),
  RENT: () => ({ housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1' }),
  ELEVATOR_RETROFIT: () => ({ projectFilingNo: 'DT-1', ownerShareAmount: '20000' }),
};

describe('POST /v1/withdrawals: every reason', () => {
  const partial = [
    ['PURCHASE', '01'],
    ['OFFSITE_PURCHASE', '72'],
    ['BUILD_REPAIR', '02'],
    ['HPF_LOAN_REPAYMENT', '06'],
    ['COMMERCIAL_LOAN_REPAYMENT', '06'],
    ['RENT', '07'],
    ['ELEVATOR_RETROFIT', '71'],
  ] as const;
  it.each(partial)('%s pays at once (reasonCode %s) and debits the account', async (reason, code) => {
    const m = await member(1_000_000);
    const res = await withdraw(m, { reason, amount: '1234.5', evidence: evidenceByReason[reason]() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'PAID', amount: '1234.50', reasonCode: code, reason });
    expect(res.body.withdrawalId).toMatch(/^W/);
    expect((await mustGetAccount(m.acc.accountNo)).balanceFen).toBe(876_550);
    const last = (await allEntries(m.acc.accountNo)).at(-1)!;
    expect(last).toMatchObject({ type: 'WITHDRAWAL', amountFen: -123_450, balanceAfterFen: 876_550, ref: res.body.withdrawalId });
  });

  const closing = [
    ['RETIREMENT', '03'],
    ['INCAPACITY', '04'],
    ['EMIGRATION', '05'],
    ['DEATH', '08'],
  ] as const;
  it.each(closing)('%s (reasonCode %s) settles interest to date, withdraws everything and closes the account', async (reason, code) => {
    const m = await member(1_000_000); // 10,000.00 deposited 2025-01-01
    const interestFen = interestSince(1_000_000, '2025-01-01', today);
    expect(interestFen).toBeGreaterThan(0);
    const res = await withdraw(m, { reason, full: true, evidence: evidenceByReason[reason]() });
    expect(res.status).toBe(201);
    const total = 1_000_000 + interestFen;
    expect(res.body).toMatchObject({ status: 'PAID', reasonCode: code, amount: `${Math.trunc(total / 100)}.${String(total % 100).padStart(2, '0')}`, accountClosed: true });
    const acc = await mustGetAccount(m.acc.accountNo);
    expect(acc).toMatchObject({ balanceFen: 0, status: 'CLOSED', statusCode: '05', closedOn: today });
    const entries = await allEntries(m.acc.accountNo);
    expect(entries.map((e) => [e.type, e.amountFen, e.balanceAfterFen])).toEqual([
      ['DEPOSIT', 1_000_000, 1_000_000],
      ['INTEREST', interestFen, total],
      ['WITHDRAWAL', -total, 0],
    ]);
    // a closed account cannot withdraw again
    const again = await withdraw(m, { reason: 'RENT', amount: '1', evidence: evidenceByReason.RENT() });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('INVALID_STATE');
  });

  it('a closing reason with an explicit amount is a policy violation; nothing changes', async () => {
    const m = await member(500_000);
    const res = await withdraw(m, { reason: 'RETIREMENT', amount: '5000', evidence: evidenceByReason.RETIREMENT() });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('POLICY_VIOLATION');
    expect((await mustGetAccount(m.acc.accountNo)).status).toBe('NORMAL');
  });
});

describe('POST /v1/withdrawals: evidence refusals (400, nothing changes)', () => {
  const cases = Object.entries(evidenceByReason).flatMap(([reason, ev]) =>
    Object.keys(ev())
      .filter(() => reason !== 'HPF_LOAN_REPAYMENT')
      .map((field) => [reason, field] as const),
  );
  cases.push(['HPF_LOAN_REPAYMENT', 'loanContractNo']); // centerCode alone is not enough
  it('refuses each missing evidence field, an unknown field, and rent evidence of the wrong housing kind', async () => {
    const m = await member(100_000);
    for (const [reason, field] of cases) {
      const evidence = evidenceByReason[reason]();
      delete evidence[field];
      const closes = ['RETIREMENT', 'INCAPACITY', 'EMIGRATION', 'DEATH'].includes(reason);
      const res = await withdraw(m, { reason, ...(closes ? { full: true } : { amount: '10' }), evidence });
      expect([reason, field, res.status, res.body.code]).toEqual([reason, field, 400, 'VALIDATION_FAILED']);
      expect(res.body.errors.some((e: { path: string }) => e.path.startsWith('body.evidence'))).toBe(true);
    }
    const extra = await withdraw(m, { reason: 'RENT', amount: '10', evidence: { ...evidenceByReason.RENT(), leaseContractNo: 'ZL-1' } });
    expect(extra.status).toBe(400);
    const publicRental = await withdraw(m, { reason: 'RENT', amount: '10', evidence: { housingKind: 'PUBLIC_RENTAL', noHouseCertificateNo: 'WF-1' } });
    expect(publicRental.status).toBe(400);
    const both = await withdraw(m, { reason: 'RENT', amount: '10', full: true, evidence: evidenceByReason.RENT() });
    expect(both.status).toBe(400);
    expect((await allEntries(m.acc.accountNo)).length).toBe(1);
  });
});

describe('POST /v1/withdrawals: money rules', () => {
  it('an overdraft is 409 INSUFFICIENT_BALANCE and changes nothing (balance, entries, control totals)', async () => {
    const m = await member(50_000);
    const totalsBefore = await controlTotals([branch]);
    const res = await withdraw(m, { reason: 'RENT', amount: '500.01', evidence: evidenceByReason.RENT() });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'INSUFFICIENT_BALANCE', status: 409 });
    expect((await mustGetAccount(m.acc.accountNo)).balanceFen).toBe(50_000);
    expect((await allEntries(m.acc.accountNo)).length).toBe(1);
    expect(await controlTotals([branch])).toEqual(totalsBefore);
    const list = await call('GET', `/v1/accounts/${m.acc.accountNo}/withdrawals`, { token: m.token });
    expect(list.body.items).toEqual([]);
    // the whole balance is fine, and then the balance is zero: nothing more
    expect((await withdraw(m, { reason: 'RENT', full: true, evidence: evidenceByReason.RENT() })).body).toMatchObject({ status: 'PAID', amount: '500.00' });
    expect((await withdraw(m, { reason: 'RENT', amount: '0.01', evidence: evidenceByReason.RENT() })).body.code).toBe('INSUFFICIENT_BALANCE');
  });

  it('a replay with the same key pays once; the same key with another body is refused', async () => {
    const m = await member(100_000);
    const key = `wd-${randomUUID()}`;
    const body = { reason: 'RENT', amount: '100', evidence: evidenceByReason.RENT() };
    const first = await withdraw(m, body, key);
    const second = await withdraw(m, body, key);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotency-replayed')).toBe('true');
    expect(first.headers.get('idempotency-replayed')).toBeNull();
    expect(second.body).toEqual(first.body);
    const other = await withdraw(m, { ...body, amount: '200' }, key);
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await mustGetAccount(m.acc.accountNo)).balanceFen).toBe(90_000);
    expect((await allEntries(m.acc.accountNo)).filter((e) => e.type === 'WITHDRAWAL')).toHaveLength(1);
    const missing = await call('POST', '/v1/withdrawals', { token: m.token, body: { accountNo: m.acc.accountNo, payeeBankAccount: PAYEE, ...body }, idem: false });
    expect(missing.body.code).toBe('IDEMPOTENCY_KEY_MISSING');
  });

  it('the purchase cap counts what anyone withdrew for the property', async () => {
    const a = await member(30_000_000);
    const b = await member(30_000_000);
    const cert = property();
    expect((await withdraw(a, { reason: 'PURCHASE', amount: '250000', evidence: purchase(cert) })).body.status).toBe('PAID');
    const over = await withdraw(b, { reason: 'OFFSITE_PURCHASE', amount: '50000.01', evidence: { ...purchase(cert), city: '杭州' } });
    expect(over.status).toBe(422);
    expect(over.body.code).toBe('POLICY_VIOLATION');
    const old = await withdraw(b, { reason: 'PURCHASE', amount: '1', evidence: { ...purchase(), purchaseDate: addDays(today, -400) } });
    expect(old.body.code).toBe('POLICY_VIOLATION');
    expect((await mustGetAccount(b.acc.accountNo)).balanceFen).toBe(30_000_000);
  });

  it('a frozen account cannot withdraw; an overdue HPF loan allows only HPF_LOAN_REPAYMENT', async () => {
    const frozen = await member(100_000, { status: 'FROZEN' });
    const f = await withdraw(frozen, { reason: 'RENT', amount: '10', evidence: evidenceByReason.RENT() });
    expect([f.status, f.body.code]).toEqual([409, 'INVALID_STATE']);

    const m = await member(100_000);
    await commit({
      plan: async () => {
        // the loans domain's flags of the account, as an overdue loan leaves them
        const before = (await getFlags([m.acc.accountNo])).get(m.acc.accountNo)!;
        return { items: [flagsWriteItem(before, { hasOverdueLoan: true, activeLoanId: 'L-overdue' })], body: null };
      },
    });
    const rent = await withdraw(m, { reason: 'RENT', amount: '10', evidence: evidenceByReason.RENT() });
    expect([rent.status, rent.body.code]).toEqual([422, 'NOT_ELIGIBLE']);
    const retire = await withdraw(m, { reason: 'RETIREMENT', full: true, evidence: evidenceByReason.RETIREMENT() });
    expect([retire.status, retire.body.code]).toEqual([422, 'NOT_ELIGIBLE']);
    const otherCenter = await withdraw(m, { reason: 'HPF_LOAN_REPAYMENT', amount: '10', evidence: evidenceByReason.HPF_LOAN_REPAYMENT() });
    expect([otherCenter.status, otherCenter.body.code]).toEqual([422, 'NOT_ELIGIBLE']); // only the overdue loan itself (api.md v1.1)
    // our own loan is paid in the withdrawal's transaction (test/e2e/withdrawals-flows.test.ts); this
    // flag names no real loan, so the loans domain refuses and nothing changes
    const repay = await withdraw(m, { reason: 'HPF_LOAN_REPAYMENT', amount: '10', evidence: { loanId: 'L-overdue' } });
    expect([repay.status, repay.body.code]).toEqual([404, 'NOT_FOUND']);
    expect((await mustGetAccount(m.acc.accountNo)).balanceFen).toBe(100_000);
  });
});

describe('review (fraud rules) and the electronic archive', () => {
  it('a property claimed by another account goes to review; staff of the branch approve and the debit happens then', async () => {
    const a = await member(1_000_000);
    const b = await member(1_000_000);
    const cert = property();
    expect((await withdraw(a, { reason: 'PURCHASE', amount: '1000', evidence: purchase(cert) })).body.status).toBe('PAID');
    const res = await withdraw(b, { reason: 'PURCHASE', amount: '2000', evidence: purchase(cert) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'PENDING_REVIEW', amount: '2000.00', reasonCode: '01', reviewDueOn: addDays(today, 3) });
    expect(res.body.reviewReasons).toContain('PROPERTY_CLAIMED_BY_ANOTHER_ACCOUNT');
    expect((await mustGetAccount(b.acc.accountNo)).balanceFen).toBe(1_000_000); // nothing moves yet
    const id = res.body.withdrawalId;

    const outsider = await call('POST', `/v1/withdrawals/${id}/approve`, { token: await staffToken(`${branch}-other`) });
    expect(outsider.status).toBe(404);
    expect((await call('POST', `/v1/withdrawals/${id}/approve`, { token: b.token })).status).toBe(403);

    const staff = await staffToken(branch);
    const ok = await call('POST', `/v1/withdrawals/${id}/approve`, { token: staff, body: { note: '已核实购房合同' } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'PAID', amount: '2000.00', paidOn: today });
    expect(ok.body.decisions.map((d: { action: string; by: { role: string } }) => [d.action, d.by.role])).toEqual([
      ['REFER_TO_REVIEW', 'system'],
      ['APPROVE', 'staff'],
    ]);
    expect((await mustGetAccount(b.acc.accountNo)).balanceFen).toBe(800_000);
    expect((await allEntries(b.acc.accountNo)).at(-1)).toMatchObject({ type: 'WITHDRAWAL', amountFen: -200_000, ref: id });

    const twice = await call('POST', `/v1/withdrawals/${id}/approve`, { token: staff });
    expect([twice.status, twice.body.code]).toEqual([409, 'INVALID_STATE']);
    const late = await call('POST', `/v1/withdrawals/${id}/reject`, { token: staff, body: { note: '不符合' } });
    expect([late.status, late.body.code]).toEqual([409, 'INVALID_STATE']);
  });

  it('the same property twice within 12 months goes to review; staff reject it with a note, nothing is debited', async () => {
    const m = await member(1_000_000);
    const cert = property();
    expect((await withdraw(m, { reason: 'PURCHASE', amount: '1000', evidence: purchase(cert) })).body.status).toBe('PAID');
    const res = await withdraw(m, { reason: 'PURCHASE', amount: '1000', evidence: purchase(cert) });
    expect(res.body).toMatchObject({ status: 'PENDING_REVIEW', reviewReasons: ['PROPERTY_CLAIMED_WITHIN_REPEAT_WINDOW'] });
    const staff = await staffToken('*');
    expect((await call('POST', `/v1/withdrawals/${res.body.withdrawalId}/reject`, { token: staff, body: {} })).status).toBe(400);
    const rej = await call('POST', `/v1/withdrawals/${res.body.withdrawalId}/reject`, { token: staff, body: { note: '重复提取' } });
    expect(rej.status).toBe(200);
    expect(rej.body).toMatchObject({ status: 'REJECTED', rejection: { message: '重复提取' } });
    expect(rej.body.decisions.at(-1)).toMatchObject({ action: 'REJECT', by: { role: 'staff' }, note: '重复提取' });
    expect((await mustGetAccount(m.acc.accountNo)).balanceFen).toBe(900_000);
    const got = await call('GET', `/v1/withdrawals/${res.body.withdrawalId}`, { token: m.token });
    expect(got.body.status).toBe('REJECTED');
  });

  it('keeps what was submitted, its SHA-256, by whom and when; readable by the owner, branch staff and auditors only', async () => {
    const m = await member(100_000);
    const evidence = { housingKind: 'PUBLIC_RENTAL', leaseContractNo: 'ZL-1', rentReceiptNo: 'SJ-1' };
    const res = await withdraw(m, { reason: 'RENT', amount: '100', evidence });
    const id = res.body.withdrawalId;
    const got = await call('GET', `/v1/withdrawals/${id}`, { token: m.token });
    expect(got.status).toBe(200);
    const canonical = '{"housingKind":"PUBLIC_RENTAL","leaseContractNo":"ZL-1","rentReceiptNo":"SJ-1"}';
    expect(got.body).toMatchObject({
      withdrawalId: id,
      accountNo: m.acc.accountNo,
      status: 'PAID',
      amount: '100.00',
      requested: { amount: '100.00' },
      payeeBankAccount: PAYEE,
      evidence,
      evidenceSha256: createHash('sha256').update(canonical).digest('hex'),
      submittedBy: { sub: `member-${m.acc.accountNo}`, role: 'member' },
      decisions: [{ action: 'AUTO_APPROVE', by: { sub: 'system', role: 'system' } }],
      paidOn: today,
    });
    expect(Math.abs(Date.parse(got.body.submittedAt) - Date.now())).toBeLessThan(60_000);
    expect((await call('GET', `/v1/withdrawals/${id}`, { token: await staffToken(branch) })).status).toBe(200);
    expect((await call('GET', `/v1/withdrawals/${id}`, { token: await auditorToken() })).status).toBe(200);
    const other = await member(0);
    expect((await call('GET', `/v1/withdrawals/${id}`, { token: other.token })).status).toBe(404);
    expect((await call('GET', `/v1/withdrawals/${id}`, { token: await staffToken(`${branch}-other`) })).status).toBe(404);
    expect((await call('GET', '/v1/withdrawals/WNOSUCH', { token: m.token })).status).toBe(404);
  });

  it('a member withdraws only from their own account; only members apply', async () => {
    const a = await member(100_000);
    const b = await member(100_000);
    const res = await call('POST', '/v1/withdrawals', { token: a.token, body: { accountNo: b.acc.accountNo, payeeBankAccount: PAYEE, reason: 'RENT', amount: '10', evidence: evidenceByReason.RENT() } });
    expect(res.status).toBe(404);
    const staff = await call('POST', '/v1/withdrawals', { token: await staffToken(branch), body: { accountNo: b.acc.accountNo, payeeBankAccount: PAYEE, reason: 'RENT', amount: '10', evidence: evidenceByReason.RENT() } });
    expect(staff.status).toBe(403);
    expect((await mustGetAccount(b.acc.accountNo)).balanceFen).toBe(100_000);
  });
});

describe('GET /v1/accounts/{accountNo}/withdrawals', () => {
  it('lists newest first with a cursor, for the owner, branch staff and auditors', async () => {
    const m = await member(100_000);
    const ids: string[] = [];
    for (const amount of ['1', '2', '3']) ids.push((await withdraw(m, { reason: 'RENT', amount, evidence: evidenceByReason.RENT() })).body.withdrawalId);
    const path = `/v1/accounts/${m.acc.accountNo}/withdrawals`;
    const p1 = await call('GET', `${path}?limit=2`, { token: m.token });
    expect(p1.status).toBe(200);
    expect(p1.body.items.map((w: { withdrawalId: string }) => w.withdrawalId)).toEqual([ids[2], ids[1]]);
    expect(p1.body.nextCursor).toEqual(expect.any(String));
    const p2 = await call('GET', `${path}?limit=2&cursor=${p1.body.nextCursor}`, { token: m.token });
    expect(p2.body.items.map((w: { withdrawalId: string }) => w.withdrawalId)).toEqual([ids[0]]);
    expect(p2.body.nextCursor).toBeNull();
    expect((await call('GET', `${path}?cursor=bogus`, { token: m.token })).status).toBe(400);
    expect((await call('GET', `${path}?limit=201`, { token: m.token })).status).toBe(400);
    expect((await call('GET', path, { token: await staffToken(branch) })).body.items).toHaveLength(3);
    expect((await call('GET', path, { token: await auditorToken() })).status).toBe(200);
    expect((await call('GET', path, { token: await staffToken(`${branch}-other`) })).status).toBe(404);
    expect((await call('GET', path, { token: await unitToken('U1') })).status).toBe(403);
    const other = await member(0);
    expect((await call('GET', path, { token: other.token })).status).toBe(404);
  });
});
