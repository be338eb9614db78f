// A branch clerk approves a withdrawal from the review queue; the member's balance changes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, memberToken, staffToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { uniqueBranch } from '../e2e/deposits-fixtures.ts';
import { addDays, businessDate } from '../../shared/clock.ts';
import { checkAccessibility, openConsole, screenshot, signIn, TEST_MS, type Opened } from './support.ts';

let o: Opened;
beforeAll(async () => {
  o = await openConsole();
});
afterAll(async () => o?.close());

const PAYEE = '6222021234567890123';

describe('console: staff', { timeout: TEST_MS }, () => {
  it('a clerk approves a withdrawal from the queue and the member\'s balance changes', async () => {
    const branch = uniqueBranch('BS');
    const [a, b] = [await openFundedAccount({ branch, balanceFen: 1_000_000 }), await openFundedAccount({ branch, balanceFen: 1_000_000 })];
    const evidence = { contractNo: 'HT-1', propertyCertificateNo: `ZH-${randomUUID().slice(0, 8)}`, price: '900000', purchaseDate: addDays(businessDate(), -10) };
    const wa = await call('POST', '/v1/withdrawals', { token: await memberToken(a.accountNo), body: { accountNo: a.accountNo, reason: 'PURCHASE', amount: '1000', payeeBankAccount: PAYEE, evidence } });
    expect(wa.body.status).toBe('PAID');
    // the same property claimed by another account: review
    const wb = await call('POST', '/v1/withdrawals', { token: await memberToken(b.accountNo), body: { accountNo: b.accountNo, reason: 'PURCHASE', amount: '2000', payeeBankAccount: PAYEE, evidence } });
    expect(wb.body.status).toBe('PENDING_REVIEW');
    const id = wb.body.withdrawalId as string;

    const { page } = o;
    await signIn(page, 'staff', branch);
    const queue = page.getByRole('table', { name: '待审核提取' });
    await queue.waitFor();
    expect(await queue.locator('tbody tr').count()).toBe(1); // this branch's queue: only this withdrawal
    expect(await queue.textContent()).toContain(wb.body.reviewDueOn);
    await screenshot(page, 'staff-review-queue');
    await checkAccessibility(page);
    await page.getByRole('button', { name: `审核 ${id}` }).click();
    await page.getByRole('heading', { name: '电子档案 Archive' }).waitFor();
    await page.getByRole('table', { name: '电子档案' }).waitFor();
    await page.getByLabel('审核意见 note').fill('同一家庭共有产权，核实无误');
    await page.getByRole('button', { name: '批准 Approve' }).click();
    await page.getByRole('status').filter({ hasText: '已批准' }).waitFor();
    await screenshot(page, 'staff-approved');
    await checkAccessibility(page);

    const after = await call('GET', `/v1/accounts/${b.accountNo}`, { token: await staffToken(branch) });
    expect(after.body.balance).toBe('8000.00');
    expect((await call('GET', `/v1/withdrawals/${id}`, { token: await staffToken(branch) })).body.status).toBe('PAID');
    expect(o.problems).toEqual([]);
  });
});
