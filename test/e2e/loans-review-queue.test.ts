// The loan review queue over HTTP against the local runtime (GET /v1/loans?status=APPLIED|APPROVED,
// issue 18's console): oldest application first with reviewDueOn (approvalDays after the application)
// and overdueForReview, each item the loan's own view (GET /v1/loans/{loanId}) with its branch; pages
// and their cursors; branch clerks see their branch only (another branch named: 403), city staff all
// or one branch; decisions move a loan from APPLIED to APPROVED or out of both, a disbursement out of
// APPROVED; refusals (forged and foreign cursors, other statuses, other roles). The city-wide queue is
// shared with every other test of the run: city-level reads are compared on this test's loans only.
import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { adminToken, auditorToken, call, memberToken, staffToken, unitToken } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { SELLER } from '../support/seller.ts';
import { commit } from '../../shared/tx.ts';
import { ddb } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { policyOn } from '../../shared/policy.ts';
import { ledgerWrite, mustGetAccount, type Account } from '../../shared/ledger/ledger.ts';
import { addDays, addMonths, businessDate, periodOf } from '../../shared/clock.ts';
import { getLoan as storedLoan, loanWriteItems } from '../../functions/loans/store.ts';

const T = businessDate();
const APPROVAL_DAYS = policyOn(T).loans.approvalDays;
const newBranch = (tag: string) => `${tag}${randomUUID().slice(0, 8)}`;

/** A loan-eligible account of the branch: funded, with remittances for the six periods before this one. */
async function depositor(branch: string): Promise<Account> {
  const acc = await openFundedAccount({ branch, balanceFen: 2_000_000, idNumber: randomResidentId('1996-05-12') });
  await commit({
    plan: async () => {
      const account = await mustGetAccount(acc.accountNo);
      const postings = Array.from({ length: 6 }, (_x, i) => ({ amountFen: 192_000, type: 'REMITTANCE' as const, period: addMonths(periodOf(T), i - 6), ref: 'queue-fixture', valueDate: T }));
      return { items: ledgerWrite([{ account, postings }]).items, body: null };
    },
  });
  return mustGetAccount(acc.accountNo);
}

const application = (accountNo: string) => ({ accountNo, housePrice: '2000000', firstHome: true, termMonths: 240, monthlyIncome: '20000', borrowerCategory: 'TALENT', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT', amount: '300000' });

async function apply(account: Account): Promise<string> {
  const res = await call('POST', '/v1/loans', { token: await memberToken(account.accountNo), body: application(account.accountNo) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect(res.body.status).toBe('APPLIED');
  return res.body.loanId;
}

/** Dates the loan's application `date` in the store (the API dates it today): the only way to a past application. */
async function appliedOn(loanId: string, date: string) {
  await commit({
    plan: async () => {
      const loan = (await storedLoan(loanId))!;
      return { items: loanWriteItems(loan, { ...loan, appliedOn: date }), body: null };
    },
  });
}

/** Every item of a queue, page by page (`limit` each), following nextCursor. */
async function wholeQueue(token: string, query: string, limit: number): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 500; page++) {
    const res: { status: number; body: any } = await call('GET', `/v1/loans?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return items;
  }
  throw new Error('queue did not end');
}

const ids = (items: any[]) => items.map((l) => l.loanId);

describe('the loan review queue (GET /v1/loans)', () => {
  it('oldest application first with reviewDueOn and overdueForReview, each the loan view with its branch; paged; branch clerks see their branch only; decisions move loans between the queues', async () => {
    const A = newBranch('LQA');
    const B = newBranch('LQB');
    const [m1, m2, m3, m4] = await Promise.all([depositor(A), depositor(A), depositor(A), depositor(B)]);
    const a1 = await apply(m1);
    const a2 = await apply(m2);
    const a3 = await apply(m3);
    const b1 = await apply(m4);
    // a2 applied 20 days ago (past its review deadline), a1 3 days ago, a3 and b1 today (in that order)
    expect(APPROVAL_DAYS).toBeGreaterThan(3);
    expect(APPROVAL_DAYS).toBeLessThan(20);
    await appliedOn(a2, addDays(T, -20));
    await appliedOn(a1, addDays(T, -3));

    // a clerk of A: their branch, oldest application first, a2 overdue for review
    const clerkA = await staffToken(A);
    const queueA = await wholeQueue(clerkA, '', 50);
    expect(ids(queueA)).toEqual([a2, a1, a3]);
    expect(queueA.map((l) => [l.appliedOn, l.reviewDueOn, l.overdueForReview])).toEqual([
      [addDays(T, -20), addDays(T, -20 + APPROVAL_DAYS), true],
      [addDays(T, -3), addDays(T, -3 + APPROVAL_DAYS), false],
      [T, addDays(T, APPROVAL_DAYS), false],
    ]);
    // each item is the loan's own view (GET /v1/loans/{loanId}) with its branch and review dates
    for (const item of queueA) {
      const one = await call('GET', `/v1/loans/${item.loanId}`, { token: clerkA });
      expect(item).toEqual({ ...one.body, branch: A, reviewDueOn: item.reviewDueOn, overdueForReview: item.overdueForReview });
    }
    expect(queueA[1]).toMatchObject({ loanId: a1, accountNo: m1.accountNo, status: 'APPLIED', principal: '300000.00', termMonths: 240, repaymentMethod: 'EQUAL_INSTALLMENT', decision: null });

    // the same with pages of one (the cursor), and with their own branch and status named
    expect(ids(await wholeQueue(clerkA, '', 1))).toEqual([a2, a1, a3]);
    expect(ids(await wholeQueue(clerkA, `&branch=${A}&status=APPLIED`, 2))).toEqual([a2, a1, a3]);
    const first = await call('GET', '/v1/loans?limit=2', { token: clerkA });
    expect(ids(first.body.items)).toEqual([a2, a1]);
    const second = await call('GET', `/v1/loans?limit=2&cursor=${first.body.nextCursor}`, { token: clerkA });
    expect([ids(second.body.items), second.body.nextCursor]).toEqual([[a3], null]);

    // another branch named by a branch clerk: 403 (as the withdrawals' queue); a clerk of B sees b1 only
    const other = await call('GET', `/v1/loans?branch=${B}`, { token: clerkA });
    expect([other.status, other.body.code]).toEqual([403, 'FORBIDDEN']);
    expect(ids(await wholeQueue(await staffToken(B), '', 50))).toEqual([b1]);
    // city staff: one branch, or the whole city in application order (this test's loans among the others)
    const city = await staffToken('*');
    expect(ids(await wholeQueue(city, `&branch=${B}`, 50))).toEqual([b1]);
    expect(ids(await wholeQueue(city, `&branch=${A}`, 2))).toEqual([a2, a1, a3]);
    const all = ids(await wholeQueue(city, '', 200)).filter((id) => [a1, a2, a3, b1].includes(id));
    expect(all).toEqual([a2, a1, a3, b1]);

    // decisions: an approved loan leaves the APPLIED queue for the APPROVED one, a rejected one both
    const approved = await call('POST', `/v1/loans/${a1}/approve`, { token: clerkA, body: { note: '资料齐全' } });
    expect([approved.status, approved.body.status]).toEqual([200, 'APPROVED']);
    expect(ids(await wholeQueue(clerkA, '', 50))).toEqual([a2, a3]);
    const approvedQueue = await wholeQueue(clerkA, '&status=APPROVED', 50);
    expect(ids(approvedQueue)).toEqual([a1]);
    expect(approvedQueue[0]).toMatchObject({ status: 'APPROVED', decision: { decision: 'APPROVED', on: T, late: false }, branch: A, reviewDueOn: addDays(T, -3 + APPROVAL_DAYS), overdueForReview: false });
    expect((await call('POST', `/v1/loans/${a3}/reject`, { token: clerkA, body: { note: '收入证明不足' } })).body.status).toBe('REJECTED');
    expect(ids(await wholeQueue(clerkA, '', 50))).toEqual([a2]);
    expect(ids(await wholeQueue(clerkA, '&status=APPROVED', 50))).toEqual([a1]);
    // the overdue one decided late
    expect((await call('POST', `/v1/loans/${a2}/approve`, { token: clerkA, body: {} })).body.decision).toMatchObject({ decision: 'APPROVED', late: true });
    expect(ids(await wholeQueue(clerkA, '', 50))).toEqual([]);
    expect(ids(await wholeQueue(clerkA, '&status=APPROVED', 50))).toEqual([a2, a1]);
    // a disbursement leaves the APPROVED queue
    const disbursed = await call('POST', `/v1/loans/${a1}/disburse`, { token: clerkA, body: { payee: SELLER, disbursedOn: T } });
    expect([disbursed.status, disbursed.body.status], JSON.stringify(disbursed.body)).toEqual([200, 'ACTIVE']);
    expect(ids(await wholeQueue(clerkA, '&status=APPROVED', 50))).toEqual([a2]);
    expect(ids(await wholeQueue(city, `&branch=${A}&status=APPROVED`, 50))).toEqual([a2]);
  });

  it('refuses forged and foreign cursors, other statuses, bad parameters and other roles (400 / 401 / 403), never a 5xx', async () => {
    const A = newBranch('LQR');
    const [m1, m2] = await Promise.all([depositor(A), depositor(A)]);
    const l1 = await apply(m1);
    await apply(m2);
    const clerk = await staffToken(A);
    const page = await call('GET', '/v1/loans?limit=1', { token: clerk });
    expect([page.status, ids(page.body.items)]).toEqual([200, [l1]]);
    const cursor = page.body.nextCursor as string;
    expect(cursor).toEqual(expect.any(String));

    const bad = async (query: string, token = clerk) => {
      const res = await call('GET', `/v1/loans?${query}`, { token });
      expect([res.status, res.body.code], `${query}: ${JSON.stringify(res.body)}`).toEqual([400, 'VALIDATION_FAILED']);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      return res.body;
    };
    // a forged cursor, one of another list (the borrower's statement), the APPLIED queue's cursor on the APPROVED queue
    expect((await bad('cursor=e30')).errors).toEqual([{ path: 'query.cursor', message: 'invalid cursor' }]);
    const statement = await call('GET', `/v1/accounts/${m1.accountNo}/entries?limit=1`, { token: clerk });
    expect(statement.body.nextCursor).toEqual(expect.any(String));
    await bad(`cursor=${statement.body.nextCursor}`);
    await bad(`status=APPROVED&cursor=${cursor}`);
    await bad('cursor=%E2%82%AC');
    // statuses no queue lists, and malformed parameters
    for (const q of ['status=REJECTED', 'status=ACTIVE', 'status=CLOSED', 'status=applied', 'status=', 'limit=0', 'limit=1000', 'limit=-1', 'limit=1.5', 'branch=%00', `branch=${'B'.repeat(33)}`, 'branch=A*', 'sort=desc']) await bad(q);
    // a valid cursor still works after all that
    const next = await call('GET', `/v1/loans?limit=1&cursor=${cursor}`, { token: clerk });
    expect(next.status).toBe(200);
    expect(next.body.items).toHaveLength(1);

    // roles: staff only (as the withdrawals' queue)
    expect((await call('GET', '/v1/loans')).status).toBe(401);
    for (const token of [await memberToken(m1.accountNo), await unitToken('U-QUEUE'), await auditorToken(), await adminToken()]) {
      const res = await call('GET', `/v1/loans?branch=${A}`, { token });
      expect([res.status, res.body.code]).toEqual([403, 'FORBIDDEN']);
    }
  });

  it('a loan written before the queue index existed is not listed; its next write lists it', async () => {
    const A = newBranch('LQO');
    const loanId = await apply(await depositor(A));
    const clerk = await staffToken(A);
    expect(ids(await wholeQueue(clerk, '', 50))).toEqual([loanId]);
    // as a loan stored before this change: the item without its queue entry
    await ddb.send(new UpdateCommand({ TableName: tableName('loans'), Key: { pk: `LOAN#${loanId}`, sk: 'LOAN' }, UpdateExpression: 'REMOVE gsi1pk, gsi1sk' }));
    expect(ids(await wholeQueue(clerk, '', 50))).toEqual([]);
    expect((await call('GET', `/v1/loans/${loanId}`, { token: clerk })).body.status).toBe('APPLIED');
    // the approval writes the whole item: it is then in the APPROVED queue
    expect((await call('POST', `/v1/loans/${loanId}/approve`, { token: clerk, body: {} })).body.status).toBe('APPROVED');
    expect(ids(await wholeQueue(clerk, '&status=APPROVED', 50))).toEqual([loanId]);
  });
});
