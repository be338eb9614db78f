// A branch clerk works the loan review queue (GET /v1/loans?status=APPLIED): the branch's applications
// oldest first with the review's due day; one approved from the queue with a note (it moves to the
// APPROVED queue, to be disbursed), another rejected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, staffToken } from '../support/http.ts';
import { uniqueBranch } from '../e2e/deposits-fixtures.ts';
import { appliedLoan, depositor } from './fixtures.ts';
import { checkAccessibility, openConsole, poll, screenshot, signIn, TEST_MS, type Opened } from './support.ts';

let o: Opened;
beforeAll(async () => {
  o = await openConsole();
});
afterAll(async () => o?.close());

describe('console: staff loan review', { timeout: TEST_MS }, () => {
  it('a clerk approves a loan from the review queue and rejects another', async () => {
    const branch = uniqueBranch('BV');
    const [a, b] = [await depositor(branch), await depositor(branch)];
    const first = await appliedLoan(a);
    const second = await appliedLoan(b);
    const staff = await staffToken(branch);
    const queue = (await call('GET', '/v1/loans?status=APPLIED', { token: staff })).body.items as any[];
    expect(queue.map((l) => l.loanId)).toEqual([first, second]); // this branch's: oldest application first

    const { page } = o;
    await signIn(page, 'staff', branch);
    await page.getByRole('button', { name: '贷款审批' }).click();
    const table = page.getByRole('table', { name: '待审批贷款' });
    const rows = table.locator('tbody tr');
    await poll(() => rows.count()).toBe(2);
    expect(await rows.nth(0).locator('td').allTextContents()).toEqual([first, a.accountNo, '30000.00', '12', '等额本息 EQUAL_INSTALLMENT', queue[0].appliedOn, queue[0].reviewDueOn, '审批']);
    expect(await rows.nth(1).locator('td').first().textContent()).toBe(second);
    await screenshot(page, 'staff-loan-queue');
    await checkAccessibility(page);

    await page.getByRole('button', { name: `审批 ${first}` }).click();
    await poll(() => page.getByTestId('loan-review-status').getAttribute('data-status')).toBe('APPLIED');
    await page.getByRole('table', { name: '贷款电子档案' }).waitFor(); // the application, archived
    await page.getByLabel('审批意见 note').fill('收入与缴存核实无误');
    await page.getByRole('button', { name: '批准 Approve' }).click();
    await page.getByRole('status').filter({ hasText: `已批准 ${first}：已批准 APPROVED` }).waitFor();
    await poll(() => page.getByTestId('loan-review-status').getAttribute('data-status')).toBe('APPROVED');
    await poll(() => page.getByRole('table', { name: '贷款电子档案' }).locator('tbody tr').count()).toBe(2);
    await screenshot(page, 'staff-loan-approved');
    await checkAccessibility(page);
    const approved = (await call('GET', `/v1/loans/${first}`, { token: staff })).body;
    expect(approved.status).toBe('APPROVED');
    expect(approved.decision.decision).toBe('APPROVED');
    const archive = (await call('GET', `/v1/archive/LOAN/${first}`, { token: staff })).body.records as any[];
    expect(archive.at(-1).submitted).toEqual({ note: '收入与缴存核实无误' });

    // back to the queue: only the second waits; it is rejected
    await page.getByRole('button', { name: '← 返回队列 Back' }).click();
    await poll(() => rows.count()).toBe(1);
    await page.getByRole('button', { name: `审批 ${second}` }).click();
    await poll(() => page.getByTestId('loan-review-status').getAttribute('data-status')).toBe('APPLIED');
    await page.getByLabel('审批意见 note').fill('购房合同未提供');
    await page.getByRole('button', { name: '驳回 Reject' }).click();
    await page.getByRole('status').filter({ hasText: `已驳回 ${second}：已驳回 REJECTED` }).waitFor();
    expect((await call('GET', `/v1/loans/${second}`, { token: staff })).body.status).toBe('REJECTED');
    await page.getByRole('button', { name: '← 返回队列 Back' }).click();
    await page.getByText('暂无记录 (no records) — 待审批贷款').waitFor();
    // the approved one waits in the disbursement queue
    await page.getByLabel('队列 status').selectOption('APPROVED');
    const toDisburse = page.getByRole('table', { name: '待放款贷款' }).locator('tbody tr');
    await poll(() => toDisburse.count()).toBe(1);
    expect(await toDisburse.first().locator('td').first().textContent()).toBe(first);
    await checkAccessibility(page);
    expect(o.problems).toEqual([]);
  });
});
