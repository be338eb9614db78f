// Issue 13 flows of the collection domain over HTTP against the local runtime: judicial freezes
// (credits post, debits refused through the withdrawals route, unfreeze restores the status before),
// BACKPAY lists from the employment history (sealed employees, the base in force then), arrears facts
// that count only funded remittances, all-or-nothing base adjustments over several chunks, cursors
// that are refused when forged or foreign, bodiless POSTs with `{}`, and the archive of every action.
// Golden amounts by domain.md §2: base × 12% + base × 12%, half-up to the fen.
import { describe, it, expect } from 'vitest';
import { call, staffToken, unitToken, memberToken, auditorToken, token } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { readArchive } from '../../shared/archive.ts';
import { controlTotals } from '../../shared/ledger/ledger.ts';
import { unitsOfShard, UNIT_SHARDS, unitCounts, unitDeferrals } from '../../functions/deposits/public.ts';
import { registerUnit, uniqueBranch, pollUntil } from './deposits-fixtures.ts';

const PAYEE = '6222021234567890123';
const ORDER = { reason: '法院协助执行', authority: '杭州市西湖区人民法院', documentNo: '(2025)浙0106执1234号' };

const hire = async (unitId: string, name: string, monthlyBase: string, extra: Record<string, unknown> = {}) => {
  const idNumber = randomResidentId();
  const res = await call('POST', `/v1/units/${unitId}/employees`, { token: await unitToken(unitId), body: { idNumber, name, monthlyBase, ...extra } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { ...(res.body as { accountNo: string; [k: string]: unknown }), idNumber };
};

/** Creates the list of a period and returns it (201). */
async function remit(unitId: string, period: string, kind: 'REGULAR' | 'BACKPAY' = 'REGULAR') {
  const res = await call('POST', `/v1/units/${unitId}/remittances`, { token: await unitToken(unitId), body: { period, kind } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { remittanceId: string; totalAmount: string; headcount: number; [k: string]: unknown };
}

/** Settles a list for its total and waits until it is POSTED. */
async function settle(unitId: string, r: { remittanceId: string; totalAmount: string }, branch: string) {
  const res = await call('POST', `/v1/remittances/${r.remittanceId}/settlements`, { token: await staffToken(branch), body: { amount: r.totalAmount, bankRef: `BANK-${r.remittanceId}` } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const tok = await unitToken(unitId);
  const done = await pollUntil(() => call('GET', `/v1/remittances/${r.remittanceId}`, { token: tok }), (x) => x.body.status === 'POSTED', 60_000);
  expect(done.body.status).toBe('POSTED');
  return done.body;
}

const account = async (accountNo: string) => (await call('GET', `/v1/accounts/${accountNo}`, { token: await auditorToken() })).body;
const freeze = async (accountNo: string, tok: string, body: unknown = ORDER, idem?: string) => call('POST', `/v1/accounts/${accountNo}/freeze`, { token: tok, body, idem });
const unfreeze = async (accountNo: string, tok: string, body: unknown = { note: '法院解除冻结' }) => call('POST', `/v1/accounts/${accountNo}/unfreeze`, { token: tok, body });
const withdraw = async (accountNo: string, body: Record<string, unknown>) =>
  call('POST', '/v1/withdrawals', { token: await memberToken(accountNo), body: { accountNo, payeeBankAccount: PAYEE, ...body } });

describe('freeze and unfreeze (司法冻结)', () => {
  it('city staff or auditors only; credits post while frozen; every debit is 409 INVALID_STATE; unfreeze restores NORMAL', async () => {
    const branch = uniqueBranch('Z');
    const unit = await registerUnit(branch);
    const emp = await hire(unit.unitId, '冻结甲', '8000');
    await settle(unit.unitId, await remit(unit.unitId, '2025-03'), branch);
    expect((await account(emp.accountNo)).balance).toBe('1920.00');

    // who may freeze: city-level staff and auditors; the branch clerk, the unit, the member may not
    for (const tok of await Promise.all([staffToken(branch), unitToken(unit.unitId), memberToken(emp.accountNo), token({ role: 'admin' })])) {
      expect((await freeze(emp.accountNo, tok)).status).toBe(403);
    }
    expect((await freeze('999999999999', await auditorToken())).body.code).toBe('NOT_FOUND');
    for (const body of [{ ...ORDER, documentNo: undefined }, { ...ORDER, reason: '' }, { ...ORDER, extra: 1 }, {}]) {
      expect((await freeze(emp.accountNo, await staffToken('*'), body)).body.code, JSON.stringify(body)).toBe('VALIDATION_FAILED');
    }
    expect((await call('POST', `/v1/accounts/${emp.accountNo}/freeze`, { token: await auditorToken(), body: ORDER, idem: false })).body.code).toBe('IDEMPOTENCY_KEY_MISSING');
    expect((await account(emp.accountNo)).status).toBe('NORMAL');

    const before = await controlTotals([branch]);
    const clerk = await staffToken('*');
    const frozen = await freeze(emp.accountNo, clerk, ORDER, `freeze-${emp.accountNo}`);
    expect(frozen.status).toBe(200);
    expect(frozen.body).toMatchObject({ accountNo: emp.accountNo, status: 'FROZEN', balance: '1920.00', freeze: { ...ORDER, previousStatus: 'NORMAL', frozenAt: expect.any(String) } });
    const replay = await freeze(emp.accountNo, clerk, ORDER, `freeze-${emp.accountNo}`);
    expect([replay.status, replay.headers.get('idempotency-replayed')]).toEqual([200, 'true']);
    expect(replay.body).toEqual(frozen.body);
    expect((await freeze(emp.accountNo, await auditorToken())).body.code).toBe('INVALID_STATE'); // already frozen
    const totals = await controlTotals([branch]);
    expect(totals.accountsByStatus.FROZEN).toBe((before.accountsByStatus.FROZEN ?? 0) + 1);
    expect(totals.accountsByStatus.NORMAL).toBe((before.accountsByStatus.NORMAL ?? 0) - 1);

    // credits still post: the frozen employee is still employed, on the next list, and credited
    const april = await remit(unit.unitId, '2025-04');
    expect(april).toMatchObject({ headcount: 1, totalAmount: '1920.00' });
    await settle(unit.unitId, april, branch);
    expect(await account(emp.accountNo)).toMatchObject({ status: 'FROZEN', balance: '3840.00' });

    // every debit is refused through the withdrawals route, and nothing changes
    const rent = await withdraw(emp.accountNo, { reason: 'RENT', amount: '100', evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1' } });
    expect([rent.status, rent.body.code]).toEqual([409, 'INVALID_STATE']);
    const overdraw = await withdraw(emp.accountNo, { reason: 'RENT', amount: '99999', evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1' } });
    expect([overdraw.status, overdraw.body.code]).toEqual([409, 'INVALID_STATE']);
    const repay = await withdraw(emp.accountNo, { reason: 'COMMERCIAL_LOAN_REPAYMENT', amount: '100', evidence: { bankName: '中国银行', loanContractNo: 'SD-1', outstandingAmount: '200000' } });
    expect([repay.status, repay.body.code]).toEqual([409, 'INVALID_STATE']);
    const entries = await call('GET', `/v1/accounts/${emp.accountNo}/entries`, { token: await memberToken(emp.accountNo) });
    expect(entries.body.items.map((e: { type: string; amount: string }) => [e.type, e.amount])).toEqual([
      ['REMITTANCE', '1920.00'],
      ['REMITTANCE', '1920.00'],
    ]);
    expect((await account(emp.accountNo)).balance).toBe('3840.00');

    // unfreeze: the same callers; back to NORMAL; a second unfreeze is 409
    expect((await unfreeze(emp.accountNo, await staffToken(branch))).status).toBe(403);
    expect((await unfreeze(emp.accountNo, clerk, {})).body.code).toBe('VALIDATION_FAILED');
    const back = await unfreeze(emp.accountNo, await auditorToken());
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ status: 'NORMAL', balance: '3840.00' });
    expect(back.body.freeze).toBeUndefined();
    expect((await unfreeze(emp.accountNo, clerk)).body.code).toBe('INVALID_STATE');
    expect(await controlTotals([branch]).then((t) => t.accountsByStatus)).toMatchObject({ FROZEN: before.accountsByStatus.FROZEN ?? 0, NORMAL: before.accountsByStatus.NORMAL });
    const paid = await withdraw(emp.accountNo, { reason: 'RENT', amount: '100', evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1' } });
    expect([paid.status, paid.body.status]).toEqual([201, 'PAID']);
    expect((await account(emp.accountNo)).balance).toBe('3740.00');

    const archive = await readArchive('ACCOUNT', emp.accountNo);
    expect(archive.map((r) => r.action)).toEqual(expect.arrayContaining(['HIRE', 'FREEZE', 'UNFREEZE']));
    const f = archive.find((r) => r.action === 'FREEZE')!;
    expect(f).toMatchObject({ actor: { role: 'staff' }, submitted: ORDER, decision: { status: 'FROZEN', previousStatus: 'NORMAL' }, owner: { branch, accountNo: emp.accountNo, unitId: unit.unitId } });
    expect(f.submittedSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(archive.filter((r) => r.action === 'FREEZE')).toHaveLength(1); // the replay archived nothing
  }, 120_000);

  it('unfreeze restores SEALED; a frozen sealed account is not re-opened by hiring; sealing a frozen employee keeps FROZEN; CLOSED is not frozen', async () => {
    const branch = uniqueBranch('Y');
    const unit = await registerUnit(branch);
    const other = await registerUnit(branch);
    const idNumber = randomResidentId();
    const hired = await call('POST', `/v1/units/${unit.unitId}/employees`, { token: await unitToken(unit.unitId), body: { idNumber, name: '封存乙', monthlyBase: '5000' } });
    const no = hired.body.accountNo;
    // a bodiless POST with `{}` works (the kernel takes an empty body or {})
    const sealed = await call('POST', `/v1/units/${unit.unitId}/employees/${no}/seal`, { token: await unitToken(unit.unitId), body: {}, idem: `seal-${no}` });
    expect([sealed.status, sealed.body.status]).toEqual([200, 'SEALED']);
    const resealed = await call('POST', `/v1/units/${unit.unitId}/employees/${no}/seal`, { token: await unitToken(unit.unitId), idem: `seal-${no}` });
    expect([resealed.status, resealed.headers.get('idempotency-replayed')]).toEqual([200, 'true']); // no body hashes like {}
    expect((await call('POST', `/v1/units/${unit.unitId}/employees/${no}/seal`, { token: await unitToken(unit.unitId), body: { x: 1 } })).body.code).toBe('VALIDATION_FAILED');

    const frozen = await freeze(no, await auditorToken());
    expect(frozen.body).toMatchObject({ status: 'FROZEN', freeze: { previousStatus: 'SEALED' } });
    const rehire = await call('POST', `/v1/units/${other.unitId}/employees`, { token: await unitToken(other.unitId), body: { idNumber, name: '封存乙', monthlyBase: '5000' } });
    // issue 14: another unit's agent gets the one answer that tells nothing of the account; city staff the reason
    expect([rehire.status, rehire.body.code]).toEqual([422, 'NOT_ELIGIBLE']);
    const told = await call('POST', `/v1/units/${other.unitId}/employees`, { token: await staffToken('*'), body: { idNumber, name: '封存乙', monthlyBase: '5000' } });
    expect([told.status, told.body.code]).toEqual([409, 'INVALID_STATE']);
    expect((await account(no)).unitId).toBe(unit.unitId);
    const back = await unfreeze(no, await staffToken('*'));
    expect(back.body).toMatchObject({ status: 'SEALED', unitId: unit.unitId });
    expect((await call('POST', `/v1/units/${other.unitId}/employees`, { token: await unitToken(other.unitId), body: { idNumber, name: '封存乙', monthlyBase: '5000' } })).body).toMatchObject({ status: 'NORMAL', reopened: true, unitId: other.unitId });

    // an employee who leaves while frozen: the unit seals, the account stays FROZEN and returns to SEALED
    const emp = await hire(unit.unitId, '冻结丙', '6000');
    await freeze(emp.accountNo, await auditorToken());
    const gone = await call('POST', `/v1/units/${unit.unitId}/employees/${emp.accountNo}/seal`, { token: await unitToken(unit.unitId), body: {} });
    expect(gone.body).toMatchObject({ status: 'FROZEN', freeze: { previousStatus: 'SEALED' } });
    expect((await call('GET', `/v1/units/${unit.unitId}`, { token: await unitToken(unit.unitId) })).body.headcount).toBe(0);
    expect((await call('POST', `/v1/units/${unit.unitId}/employees/${emp.accountNo}/seal`, { token: await unitToken(unit.unitId) })).body.code).toBe('INVALID_STATE');
    expect((await unfreeze(emp.accountNo, await auditorToken())).body.status).toBe('SEALED');

    const closed = await openFundedAccount({ branch, status: 'CLOSED' });
    const refused = await freeze(closed.accountNo, await auditorToken());
    expect([refused.status, refused.body.code]).toEqual([409, 'INVALID_STATE']);
    expect((await unfreeze(closed.accountNo, await auditorToken())).body.code).toBe('INVALID_STATE');
    expect((await readArchive('ACCOUNT', emp.accountNo)).map((r) => r.action)).toEqual(['HIRE', 'FREEZE', 'SEAL', 'UNFREEZE']);
  }, 120_000);
});

describe('BACKPAY (补缴) from the employment history', () => {
  it('lists who was employed in the original period at the base then, credits the sealed ones, who stay sealed', async () => {
    const branch = uniqueBranch('K');
    const unit = await registerUnit(branch);
    const a = await hire(unit.unitId, '补缴甲', '8000');
    const b = await hire(unit.unitId, '补缴乙', '6000');
    const late = await hire(unit.unitId, '补缴丙', '9000', { startPeriod: '2025-05' });
    await settle(unit.unitId, await remit(unit.unitId, '2025-03'), branch); // 1,920.00 + 1,440.00
    // the annual adjustment takes effect from the next unpaid period (2025-04): A 8,000 → 10,000
    const adj = await call('POST', `/v1/units/${unit.unitId}/base-adjustments`, { token: await unitToken(unit.unitId), body: { year: 2025, items: [{ accountNo: a.accountNo, monthlyBase: '10000' }] } });
    expect(adj.status, JSON.stringify(adj.body)).toBe(201);
    expect(adj.body).toMatchObject({ year: 2025, count: 1, fromPeriod: '2025-04' });
    expect((await call('POST', `/v1/units/${unit.unitId}/employees/${b.accountNo}/seal`, { token: await unitToken(unit.unitId), body: {} })).body.status).toBe('SEALED');

    // REGULAR 2025-04: only A, at the new base: 1,200.00 + 1,200.00
    const april = await remit(unit.unitId, '2025-04');
    expect(april).toMatchObject({ headcount: 1, totalAmount: '2400.00' });
    // BACKPAY 2025-02: A at 8,000.00 (1,920.00) and sealed B at 6,000.00 (1,440.00); C started 2025-05
    const back = await remit(unit.unitId, '2025-02', 'BACKPAY');
    expect(back).toMatchObject({ kind: 'BACKPAY', headcount: 2, totalAmount: '3360.00' });
    await settle(unit.unitId, back, branch);
    expect(await account(b.accountNo)).toMatchObject({ status: 'SEALED', balance: '2880.00', lastPaidPeriod: '2025-03' });
    expect(await account(a.accountNo)).toMatchObject({ status: 'NORMAL', balance: '3840.00', monthlyBase: '10000.00', monthlyAmount: '2400.00' });
    expect((await account(late.accountNo)).balance).toBe('0.00');
    const bEntries = await call('GET', `/v1/accounts/${b.accountNo}/entries`, { token: await memberToken(b.accountNo) });
    expect(bEntries.body.items[0]).toMatchObject({ type: 'BACKPAY', amount: '1440.00', period: '2025-02', ref: back.remittanceId });

    // B re-hired elsewhere: a back-pay of a period B worked here still credits B (money follows the person)
    const other = await registerUnit(branch);
    const moved = await call('POST', `/v1/units/${other.unitId}/employees`, { token: await unitToken(other.unitId), body: { idNumber: b.idNumber, name: '补缴乙', monthlyBase: '7000' } });
    expect(moved.body).toMatchObject({ accountNo: b.accountNo, reopened: true, unitId: other.unitId });
    const jan = await remit(unit.unitId, '2025-01', 'BACKPAY');
    expect(jan).toMatchObject({ headcount: 2, totalAmount: '3360.00' });

    // arrears count funded lists only: 2025-04 is listed but unpaid
    const view = (await call('GET', `/v1/units/${unit.unitId}`, { token: await unitToken(unit.unitId) })).body;
    expect(view).toMatchObject({ lastRemittedPeriod: '2025-04', lastFundedPeriod: '2025-03', nextUnpaidPeriod: '2025-05' });
    const shardFacts = (await Promise.all(Array.from({ length: UNIT_SHARDS }, (_, s) => unitsOfShard(s)))).flat();
    expect(shardFacts.find((u) => u.unitId === unit.unitId)).toEqual({ unitId: unit.unitId, branch, startPeriod: '2025-01', lastFundedPeriod: '2025-03' });
    // a back-pay settles no REGULAR period
    await settle(unit.unitId, jan, branch);
    expect((await call('GET', `/v1/units/${unit.unitId}`, { token: await unitToken(unit.unitId) })).body.lastFundedPeriod).toBe('2025-03');
    // credited by the old unit's back-pay; its current terms stay those of the new unit
    expect(await account(b.accountNo)).toMatchObject({ status: 'NORMAL', unitId: other.unitId, balance: '4320.00', monthlyBase: '7000.00', monthlyAmount: '1680.00' });
    await settle(unit.unitId, april, branch);
    expect((await call('GET', `/v1/units/${unit.unitId}`, { token: await unitToken(unit.unitId) })).body.lastFundedPeriod).toBe('2025-04');

    const rem = await readArchive('REMITTANCE', back.remittanceId);
    expect(rem.map((r) => r.action)).toEqual(['CREATE', 'SETTLE', 'POSTED']);
    expect(rem[2]).toMatchObject({ actor: { role: 'system' }, decision: { status: 'POSTED', postedCount: 2, postedAmount: '3360.00' }, owner: { unitId: unit.unitId, branch } });
    const unitArchive = await readArchive('UNIT', unit.unitId);
    expect(unitArchive.map((r) => r.action)).toEqual(['REGISTER', 'BASE_ADJUSTMENT']);
    expect(unitArchive[1].submitted).toEqual({ year: 2025, items: [{ accountNo: a.accountNo, monthlyBase: '10000.00' }] });
    expect((await readArchive('ACCOUNT', b.accountNo)).map((r) => r.action)).toEqual(['HIRE', 'SEAL', 'REOPEN']);
  }, 180_000);

  it('a unit that creates lists but never pays has no funded period', async () => {
    const branch = uniqueBranch('N');
    const unit = await registerUnit(branch);
    await hire(unit.unitId, '欠缴', '8000');
    await remit(unit.unitId, '2025-01');
    await remit(unit.unitId, '2025-02');
    const view = (await call('GET', `/v1/units/${unit.unitId}`, { token: await unitToken(unit.unitId) })).body;
    expect(view).toMatchObject({ lastRemittedPeriod: '2025-02', lastFundedPeriod: null, nextUnpaidPeriod: '2025-03' });
    const facts = (await Promise.all(Array.from({ length: UNIT_SHARDS }, (_, s) => unitsOfShard(s)))).flat();
    const fact = facts.find((u) => u.unitId === unit.unitId)!;
    expect(fact).toEqual({ unitId: unit.unitId, branch, startPeriod: '2025-01' });
    expect(await unitCounts(branch)).toBe(1);
  });
});

describe('base adjustment over several chunks (all or nothing)', () => {
  it('45 items (2 chunks), one invalid in the second chunk → 422 and nothing changed; then all 45 at once', async () => {
    const branch = uniqueBranch('B');
    const unit = await registerUnit(branch);
    const foreign = await hire((await registerUnit(branch)).unitId, '外单位', '5000');
    const accs: string[] = [];
    for (let i = 0; i < 45; i += 5) accs.push(...(await Promise.all(Array.from({ length: 5 }, (_, j) => hire(unit.unitId, `员工${i + j}`, '5000')))).map((r) => r.accountNo));
    const path = `/v1/units/${unit.unitId}/base-adjustments`;
    const t = await unitToken(unit.unitId);
    const items = accs.map((accountNo) => ({ accountNo, monthlyBase: '7000' }));

    const notOurs = await call('POST', path, { token: t, body: { year: 2026, items: items.map((it, i) => (i === 42 ? { accountNo: foreign.accountNo, monthlyBase: '7000' } : it)) } });
    expect([notOurs.status, notOurs.body.code]).toEqual([422, 'POLICY_VIOLATION']);
    expect(notOurs.body.errors).toEqual([expect.objectContaining({ path: 'items.42.accountNo' })]);
    const tooHigh = await call('POST', path, { token: t, body: { year: 2026, items: items.map((it, i) => (i === 43 ? { ...it, monthlyBase: '24000.01' } : it)) } });
    expect([tooHigh.status, tooHigh.body.errors[0].path]).toEqual([422, 'items.43.monthlyBase']);
    const malformed = await call('POST', path, { token: t, body: { year: 2026, items: items.map((it, i) => (i === 44 ? { ...it, monthlyBase: 7000 } : it)) } });
    expect(malformed.status).toBe(400);
    for (const no of [accs[0], accs[39], accs[40], accs[44]]) expect((await account(no)).monthlyBase).toBe('5000.00');
    expect((await readArchive('UNIT', unit.unitId)).map((r) => r.action)).toEqual(['REGISTER']);

    const key = `adj-${unit.unitId}`;
    const ok = await call('POST', path, { token: t, body: { year: 2026, items }, idem: key });
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body).toMatchObject({ year: 2026, count: 45 });
    const accounts = await Promise.all(accs.map(account));
    expect(accounts.filter((a) => a.monthlyBase !== '7000.00' || a.monthlyAmount !== '1680.00')).toEqual([]);
    const replay = await call('POST', path, { token: t, body: { year: 2026, items }, idem: key });
    expect([replay.status, replay.headers.get('idempotency-replayed'), replay.body]).toEqual([201, 'true', ok.body]);
    expect((await call('POST', path, { token: t, body: { year: 2026, items: items.slice(0, 1) } })).body.code).toBe('CONFLICT');
    expect((await readArchive('UNIT', unit.unitId)).filter((r) => r.action === 'BASE_ADJUSTMENT')).toHaveLength(1);
  }, 180_000);
});

describe('cursors and the archive of unit records', () => {
  it('a forged cursor or one from another list is a 400 on the employee list and the statement', async () => {
    const branch = uniqueBranch('C');
    const u1 = await registerUnit(branch);
    const u2 = await registerUnit(branch);
    const a = [await hire(u1.unitId, '游标甲', '8000'), await hire(u1.unitId, '游标乙', '8000')];
    await hire(u2.unitId, '游标丙', '8000');
    await hire(u2.unitId, '游标丁', '8000');
    const staff = await staffToken(branch);
    const page1 = await call('GET', `/v1/units/${u1.unitId}/employees?limit=1`, { token: staff });
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await call('GET', `/v1/units/${u1.unitId}/employees?limit=1&cursor=${page1.body.nextCursor}`, { token: staff });
    expect(page2.status).toBe(200);
    expect([...page1.body.items, ...page2.body.items].map((i: { accountNo: string }) => i.accountNo).sort()).toEqual(a.map((x) => x.accountNo).sort());
    const foreign = (await call('GET', `/v1/units/${u2.unitId}/employees?limit=1`, { token: staff })).body.nextCursor;
    for (const cursor of ['e30', foreign, 'not-base64!', Buffer.from('[1]').toString('base64url')]) {
      const res = await call('GET', `/v1/units/${u1.unitId}/employees?limit=1&cursor=${encodeURIComponent(cursor)}`, { token: staff });
      expect([res.status, res.body.code], cursor).toEqual([400, 'VALIDATION_FAILED']);
    }

    // the statement: two entries on each of two accounts
    await settle(u1.unitId, await remit(u1.unitId, '2025-01'), branch);
    await settle(u1.unitId, await remit(u1.unitId, '2025-02'), branch);
    const [x, y] = a.map((e) => e.accountNo);
    const s1 = await call('GET', `/v1/accounts/${x}/entries?limit=1`, { token: staff });
    expect(s1.body.nextCursor).toEqual(expect.any(String));
    expect((await call('GET', `/v1/accounts/${x}/entries?limit=1&cursor=${s1.body.nextCursor}`, { token: staff })).body.items[0]).toMatchObject({ period: '2025-01' });
    const other = (await call('GET', `/v1/accounts/${y}/entries?limit=1`, { token: staff })).body.nextCursor;
    for (const cursor of ['e30', other, page1.body.nextCursor]) {
      const res = await call('GET', `/v1/accounts/${x}/entries?limit=1&cursor=${cursor}`, { token: staff });
      expect([res.status, res.body.code], cursor).toEqual([400, 'VALIDATION_FAILED']);
    }
  }, 120_000);

  it('registration, changes and deferrals are archived with who, what and the decision; deferral ranges and unit counts are published', async () => {
    const branch = uniqueBranch('G');
    const unit = await registerUnit(branch, { startPeriod: '2022-01' });
    expect((await call('PATCH', `/v1/units/${unit.unitId}`, { token: await unitToken(unit.unitId), body: { payDay: 20, employeeRate: '10' } })).status).toBe(200);
    const deferral = await call('POST', `/v1/units/${unit.unitId}/deferrals`, { token: await staffToken(branch), body: { fromPeriod: '2022-06', toPeriod: '2022-12', reason: '困难企业' } });
    expect(deferral.status).toBe(201);
    await call('POST', `/v1/units/${unit.unitId}/deferrals`, { token: await staffToken(branch), body: { fromPeriod: '2023-03', toPeriod: '2023-04', reason: '困难企业' } });
    expect(await unitDeferrals(unit.unitId)).toEqual(['2022-06:2022-12', '2023-03:2023-04']);
    expect(await unitDeferrals(undefined)).toEqual([]);
    expect(await unitCounts(branch)).toBe(1);
    const records = await readArchive('UNIT', unit.unitId);
    expect(records.map((r) => [r.action, r.actor.role])).toEqual([
      ['REGISTER', 'staff'],
      ['CHANGE', 'unit'],
      ['DEFERRAL', 'staff'],
      ['DEFERRAL', 'staff'],
    ]);
    expect(records[0]).toMatchObject({ submitted: { branch, payDay: 10, employerRate: 12 }, decision: { status: 'ACTIVE' }, owner: { branch, unitId: unit.unitId } });
    expect(records[1]).toMatchObject({ submitted: { payDay: 20, employeeRate: 10 }, decision: { status: 'CHANGED', ratesEffectiveFrom: '2022-01' } });
    expect(records[2]).toMatchObject({ submitted: { fromPeriod: '2022-06', toPeriod: '2022-12', reason: '困难企业' }, decision: { status: 'APPROVED', deferralId: deferral.body.deferralId } });

    const idNumber = randomResidentId();
    const flex = await call('POST', '/v1/flexible-accounts', { token: await token({ role: 'member', sub: idNumber }), body: { idNumber, name: '灵活', monthlyBase: '5000', rate: '20' } });
    await call('POST', `/v1/accounts/${flex.body.accountNo}/deposits`, { token: await staffToken('*'), body: { period: '2025-01', amount: '1000', bankRef: 'B-F' } });
    expect((await readArchive('ACCOUNT', flex.body.accountNo)).map((r) => [r.action, r.actor.role])).toEqual([
      ['OPEN_FLEXIBLE', 'member'],
      ['DEPOSIT', 'staff'],
    ]);
  });
});
