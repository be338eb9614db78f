// A clerk grants a hardship deferral (缓期还贷) on an ACTIVE loan from the console: refused once with the
// field named (periods the wrong way round), then accepted; the deferred installments move to the end
// of the schedule, which the clerk then sees on the loan page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, staffToken } from '../support/http.ts';
import { uniqueBranch } from '../e2e/deposits-fixtures.ts';
import { periodOf } from '../../shared/clock.ts';
import { depositor, disbursedLoan } from './fixtures.ts';
import { checkAccessibility, openConsole, poll, screenshot, signIn, TEST_MS, type Opened } from './support.ts';

let o: Opened;
beforeAll(async () => {
  o = await openConsole();
});
afterAll(async () => o?.close());

describe('console: staff loan deferral', { timeout: TEST_MS }, () => {
  it('a clerk defers two installments of an ACTIVE loan: refused with the field named, then accepted', async () => {
    const branch = uniqueBranch('BH');
    const acc = await depositor(branch);
    const loanId = await disbursedLoan(branch, acc);
    const staff = await staffToken(branch);
    const before = (await call('GET', `/v1/loans/${loanId}/schedule`, { token: staff })).body.installments as any[];
    expect((await call('GET', `/v1/loans/${loanId}`, { token: staff })).body.status).toBe('ACTIVE');
    const [p1, p2] = [periodOf(before[0].dueDate), periodOf(before[1].dueDate)];

    const { page } = o;
    await signIn(page, 'staff', branch);
    await page.getByRole('button', { name: '缓缴缓还' }).click();
    const form = page.getByRole('form', { name: '缓期还贷 Loan hardship deferral' });
    await form.getByLabel('贷款号 loanId').fill(loanId);
    await form.getByLabel('起始期间 fromPeriod（YYYY-MM）').fill(p2);
    await form.getByLabel('结束期间 toPeriod（YYYY-MM）').fill(p1);
    await form.getByLabel('困难原因 reason').fill('重大疾病');
    await form.getByRole('button', { name: '批准 Approve' }).click();
    const alert = form.getByRole('alert').filter({ hasText: '输入有误' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('toPeriod');
    expect(await alert.textContent()).toContain('VALIDATION_FAILED · HTTP 400');
    await screenshot(page, 'staff-loan-deferral-refused');
    await checkAccessibility(page);
    // refused: nothing changed
    expect((await call('GET', `/v1/loans/${loanId}/schedule`, { token: staff })).body.installments).toEqual(before);

    await form.getByLabel('起始期间 fromPeriod（YYYY-MM）').fill(p1);
    await form.getByLabel('结束期间 toPeriod（YYYY-MM）').fill(p2);
    await form.getByRole('button', { name: '批准 Approve' }).click();
    const ok = form.getByRole('status').filter({ hasText: `已批准缓期还贷 ${loanId}：${p1}–${p2}` });
    await ok.waitFor();
    expect(await ok.textContent()).toContain('缓期期次 installments 1、2');
    const loan = (await call('GET', `/v1/loans/${loanId}`, { token: staff })).body;
    expect(await ok.textContent()).toContain(`新到期日 maturityDate ${loan.maturityDate}`);
    const after = (await call('GET', `/v1/loans/${loanId}/schedule`, { token: staff })).body.installments as any[];
    expect(after.filter((r) => r.status === 'DEFERRED').map((r) => [r.no, r.deferredFrom])).toEqual([[1, before[0].dueDate], [2, before[1].dueDate]]);
    await screenshot(page, 'staff-loan-deferral');
    await checkAccessibility(page);

    // the clerk's loan page shows the deferred installments at the end, with the due date they had
    await page.getByRole('button', { name: '贷款查询' }).click();
    await page.getByLabel('贷款号 loanId').fill(loanId);
    await page.getByRole('button', { name: '查询 Look up' }).click();
    const rows = page.getByRole('table', { name: '还款计划' }).locator('tbody tr');
    await poll(() => rows.count()).toBe(12);
    const last = await rows.nth(11).locator('td').allTextContents();
    expect(last[0]).toBe('2');
    expect(last[1]).toBe(`${after[11].dueDate}原 ${before[1].dueDate}`);
    expect(last[6]).toBe('缓期 DEFERRED');
    await screenshot(page, 'staff-loan-deferred-schedule');
    await checkAccessibility(page);
    expect(o.problems).toEqual([]);
  });
});
