// Collection without a clerk (issue 16): a bank's arrival notice naming an AWAITING_FUNDS remittance
// with its amount settles it (the employees are credited by the posting, as after the staff route); a
// flexible account's number is that account's deposit; the same notice again answers the same and
// changes nothing; a wrong amount waits in suspense, where city staff assign it (the amount must be
// the remittance's: else 422).
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { call, adminToken, staffToken, unitToken } from '../support/http.ts';
import { randomResidentId } from '../support/fixtures.ts';
import { pollUntil, registerUnit, uniqueBranch } from './deposits-fixtures.ts';
import { signedHeaders } from '../../shared/signature.ts';
import { businessDate, periodOf, addMonths } from '../../shared/clock.ts';

const digits = (n: number) => Array.from({ length: n }, (_x, i) => (i === 0 ? randomInt(1, 10) : randomInt(0, 10))).join('');

describe('arrival notices that match (e2e)', () => {
  const code = `BC${randomBytes(4).toString('hex')}`;
  const secret = `bank-secret-${randomUUID()}`;
  const collection = digits(19);
  let city: string;

  const notify = (body: Record<string, unknown>) => {
    const rawBody = JSON.stringify(body);
    const { 'x-hpf-center': who, ...rest } = signedHeaders(code, secret, { method: 'POST', path: '/v1/bank/notifications', rawBody });
    return call('POST', '/v1/bank/notifications', { rawBody, headers: { 'x-hpf-bank': who, ...rest } });
  };
  const notice = (reference: string, amount: string) => ({ notificationId: `N-${randomUUID()}`, accountNo: collection, amount, valueDate: businessDate(), payerName: '杭州某某有限公司', payerAccount: digits(16), reference });

  /** A unit of a new branch with one employee (base 8,000.00, 12% + 12%) and its remittance of this month: 1,920.00. */
  async function remittanceOfOne() {
    const branch = uniqueBranch('BS');
    const unit = await registerUnit(branch, { startPeriod: addMonths(periodOf(businessDate()), -1) });
    const tok = await unitToken(unit.unitId);
    const hired = await call('POST', `/v1/units/${unit.unitId}/employees`, { token: tok, body: { idNumber: randomResidentId(), name: '钱七', monthlyBase: '8000' } });
    expect(hired.status, JSON.stringify(hired.body)).toBe(201);
    const rem = await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: tok, body: { period: periodOf(businessDate()) } });
    expect(rem.status, JSON.stringify(rem.body)).toBe(201);
    expect(rem.body).toMatchObject({ status: 'AWAITING_FUNDS', totalAmount: '1920.00' });
    return { unit, tok, accountNo: hired.body.accountNo as string, remittanceId: rem.body.remittanceId as string };
  }

  beforeAll(async () => {
    city = await staffToken('*');
    const reg = await call('PUT', `/v1/banks/${code}`, { token: await adminToken(), body: { name: '归集银行', apiBaseUrl: 'http://127.0.0.1:9/bank', sharedSecret: secret, accounts: [{ accountNo: collection, purpose: 'COLLECTION' }] } });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
  });

  it('a remittance id with its amount settles the remittance and credits its employee; the same notice again (also at once) answers the same, nothing twice', async () => {
    const r = await remittanceOfOne();
    const n = notice(r.remittanceId, '1920.00');
    const [a, b] = await Promise.all([notify(n), notify(n)]);
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(a.body).toEqual({ matched: { kind: 'REMITTANCE', id: r.remittanceId } });
    expect(b.body).toEqual(a.body);
    const posted = await pollUntil(async () => (await call('GET', `/v1/remittances/${r.remittanceId}`, { token: r.tok })).body, (x) => x.status === 'POSTED', 30_000);
    expect(posted.status).toBe('POSTED');
    const account = await call('GET', `/v1/accounts/${r.accountNo}`, { token: r.tok });
    expect(account.body.balance).toBe('1920.00');
    expect((await notify(n)).body).toEqual(a.body);
    // a second arrival of the same amount for a remittance no longer awaiting funds waits in suspense
    const late = notice(r.remittanceId, '1920.00');
    expect((await notify(late)).body).toEqual({ matched: null });
    expect((await call('GET', `/v1/accounts/${r.accountNo}`, { token: r.tok })).body.balance).toBe('1920.00');
  });

  it('a wrong amount waits in suspense; assigning it to the remittance of another amount is 422, to its own settles it', async () => {
    const r = await remittanceOfOne();
    const n = notice(r.remittanceId, '1900.00');
    expect((await notify(n)).body).toEqual({ matched: null });
    const other = await remittanceOfOne();
    const right = notice(`付款 ${other.remittanceId}`, '1920.00'); // a reference that names no id of ours
    expect((await notify(right)).body).toEqual({ matched: null });
    const open = async () => {
      const items: any[] = [];
      let cursor = '';
      do {
        const page = await call('GET', `/v1/bank/suspense?limit=200${cursor ? `&cursor=${cursor}` : ''}`, { token: city });
        items.push(...page.body.items);
        cursor = page.body.nextCursor ?? '';
      } while (cursor);
      return items;
    };
    const items = await open();
    const wrong = items.find((i) => i.notificationId === n.notificationId);
    const good = items.find((i) => i.notificationId === right.notificationId);
    const assign = (itemId: string, body: unknown) => call('POST', `/v1/bank/suspense/${itemId}/assign`, { token: city, body, idem: randomUUID() });
    const refused = await assign(wrong.itemId, { remittanceId: r.remittanceId });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('POLICY_VIOLATION');
    expect((await assign(good.itemId, { remittanceId: 'RNOSUCHREMITTANCE' })).status).toBe(404);
    const assigned = await assign(good.itemId, { remittanceId: other.remittanceId });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    expect(assigned.body).toMatchObject({ status: 'ASSIGNED', assignedTo: { kind: 'REMITTANCE', id: other.remittanceId } });
    await pollUntil(async () => (await call('GET', `/v1/remittances/${other.remittanceId}`, { token: other.tok })).body, (x) => x.status === 'POSTED', 30_000);
    expect((await call('GET', `/v1/accounts/${other.accountNo}`, { token: other.tok })).body.balance).toBe('1920.00');
    const after = await open();
    expect(after.some((i) => i.itemId === good.itemId)).toBe(false);
    expect(after.some((i) => i.itemId === wrong.itemId)).toBe(true);
    expect((await call('GET', `/v1/remittances/${r.remittanceId}`, { token: r.tok })).body.status).toBe('AWAITING_FUNDS');
  });

  it('a flexible account number with the monthly amount is that account’s deposit, once', async () => {
    const opened = await call('POST', '/v1/flexible-accounts', { token: city, body: { idNumber: randomResidentId(), name: '孙八', monthlyBase: '5000', rate: '20' } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(201);
    const acc = opened.body.accountNo as string;
    const n = notice(acc, '1000.00');
    const res = await notify(n);
    expect(res.body, JSON.stringify(res.body)).toEqual({ matched: { kind: 'DEPOSIT', id: acc } });
    expect((await notify(n)).body).toEqual(res.body);
    expect((await call('GET', `/v1/accounts/${acc}`, { token: city })).body.balance).toBe('1000.00');
    // another amount is not the deposit: suspense
    expect((await notify(notice(acc, '999.00'))).body).toEqual({ matched: null });
    expect((await call('GET', `/v1/accounts/${acc}`, { token: city })).body.balance).toBe('1000.00');
  });
});
