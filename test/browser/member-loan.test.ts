// A member looks up the loan disbursed to them: its figures and the schedule the API answers; once the
// loan is paid off (CLOSED), the payoff certificate (贷款结清证明) PDF to download, with its code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, memberToken, staffToken } from '../support/http.ts';
import { uniqueBranch } from '../e2e/deposits-fixtures.ts';
import { readPdf } from '../support/pdf.ts';
import { depositor, disbursedLoan, downloaded } from './fixtures.ts';
import { checkAccessibility, openConsole, poll, screenshot, signIn, TEST_MS, WAIT_MS, type Opened } from './support.ts';

let o: Opened;
beforeAll(async () => {
  o = await openConsole();
});
afterAll(async () => o?.close());

describe('console: member loan', { timeout: TEST_MS }, () => {
  it('shows the schedule of a disbursed loan, and once it is CLOSED a link to its payoff certificate', async () => {
    const branch = uniqueBranch('BL');
    const acc = await depositor(branch);
    const loanId = await disbursedLoan(branch, acc);
    const member = await memberToken(acc.accountNo);
    const schedule = (await call('GET', `/v1/loans/${loanId}/schedule`, { token: member })).body.installments as any[];
    expect(schedule).toHaveLength(12);

    const { page } = o;
    await signIn(page, 'member', acc.accountNo);
    await page.getByRole('button', { name: '还款计划' }).click();
    await page.getByLabel('贷款号 loanId').fill(loanId);
    await page.getByRole('button', { name: '查询 Look up' }).click();
    const status = page.getByTestId('loan-status');
    await poll(() => status.getAttribute('data-status')).toBe('ACTIVE');
    expect(await page.getByTestId('loan-outstanding').textContent()).toBe('30000.00');
    const table = page.getByRole('table', { name: '还款计划' });
    const rows = table.locator('tbody tr');
    expect(await rows.count()).toBe(12);
    // each row as the API answers it: no, due date, payment, principal, interest, remaining principal, status
    for (const i of [0, 11]) {
      const cells = await rows.nth(i).locator('td').allTextContents();
      const r = schedule[i];
      expect(cells).toEqual([String(r.no), r.dueDate, r.payment, r.principal, r.interest, r.remainingPrincipal, `待还 ${r.status}`]);
    }
    expect(await page.getByRole('region', { name: '贷款结清证明 Payoff certificate' }).count()).toBe(0); // ACTIVE: nothing to certify
    await screenshot(page, 'member-loan-schedule');
    await checkAccessibility(page);

    // paid off in full from the bank: CLOSED
    const full = await call('POST', `/v1/loans/${loanId}/prepayments`, { token: await staffToken(branch), body: { full: true, source: 'BANK' } });
    expect(full.status, JSON.stringify(full.body)).toBe(201);
    await page.getByRole('button', { name: '查询 Look up' }).click();
    await poll(() => status.getAttribute('data-status')).toBe('CLOSED');
    expect(await status.textContent()).toBe('已结清 CLOSED');
    const certificate = page.getByRole('region', { name: '贷款结清证明 Payoff certificate' });
    await certificate.getByRole('button', { name: '生成证明 Generate' }).click();
    const code = page.getByTestId('payoff-verification-code');
    await code.waitFor({ timeout: 2 * WAIT_MS }); // the runtime's first certificate PDF loads the renderer and its fonts
    const api = await call('GET', `/v1/loans/${loanId}/payoff-certificate`, { token: member });
    expect(api.status).toBe(200);
    expect(await code.textContent()).toBe(api.body.verificationCode);
    expect(await page.getByTestId('payoff-certificate-no').textContent()).toBe(api.body.certificateNo);
    await poll(() => page.getByTestId('payoff-verified').textContent()).toBe('有效 valid');

    const file = await downloaded(page, () => page.getByTestId('payoff-download').click());
    expect(file.fileName).toBe(`payoff-certificate-${loanId}.pdf`);
    expect(file.bytes.subarray(0, 4).toString('latin1')).toBe('%PDF');
    const read = await readPdf(new Uint8Array(file.bytes));
    expect(read.text).toContain('住房公积金贷款结清证明');
    expect(read.text).toContain(api.body.certificateNo);
    expect(read.text).toContain(api.body.verificationCode);
    await screenshot(page, 'member-loan-payoff-certificate');
    await checkAccessibility(page);
    expect(o.problems).toEqual([]);
  });
});
