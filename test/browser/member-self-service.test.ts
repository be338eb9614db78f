// A member applies for a rent withdrawal (租房提取) from the console and sees it listed with its status
// and its bank payment's; and downloads the deposit certificate (缴存证明) PDF with its verification code.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, memberToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { pollUntil, uniqueBranch } from '../e2e/deposits-fixtures.ts';
import { readPdf } from '../support/pdf.ts';
import { downloaded } from './fixtures.ts';
import { checkAccessibility, openConsole, poll, screenshot, signIn, TEST_MS, WAIT_MS, type Opened } from './support.ts';

let o: Opened;
beforeAll(async () => {
  o = await openConsole();
});
afterAll(async () => o?.close());

describe('console: member self-service', { timeout: TEST_MS }, () => {
  it('applies for a rent withdrawal and sees it listed with its status, then its payment settled', async () => {
    const acc = await openFundedAccount({ branch: uniqueBranch('BW'), balanceFen: 1_000_000 });
    const { page } = o;
    await signIn(page, 'member', acc.accountNo);
    await poll(() => page.getByTestId('balance').textContent()).toBe('10000.00');
    await page.getByRole('button', { name: '租房提取' }).click();
    const list = page.getByRole('table', { name: '我的提取记录' });
    await page.getByText('暂无记录 (no records) — 我的提取记录').waitFor(); // a new account: none yet

    // a refusal first: more than the balance (409 INSUFFICIENT_BALANCE), shown in Chinese, nothing listed
    await page.getByLabel('金额(元) amount').fill('20000');
    await page.getByLabel('收款银行账号 payeeBankAccount').fill('6222021234567890123');
    await page.getByLabel('住房类型 housingKind').selectOption('PUBLIC_RENTAL');
    await page.getByLabel('租赁合同号 leaseContractNo').fill(`GZF-${randomUUID().slice(0, 8)}`);
    await page.getByLabel('租金收据号 rentReceiptNo').fill('SJ-2026-0001');
    await page.getByRole('button', { name: '提交 Submit' }).click();
    await page.getByRole('alert').filter({ hasText: '余额不足' }).waitFor();
    await checkAccessibility(page);

    await page.getByLabel('金额(元) amount').fill('1500');
    await page.getByRole('button', { name: '提交 Submit' }).click();
    const done = page.getByRole('status').filter({ hasText: '已提交' });
    await done.waitFor();
    const withdrawalId = /已提交 (\S+)：/.exec((await done.textContent())!)![1];
    expect(await done.textContent()).toContain('已支付 PAID');
    // the list reloads with it: the console shows what the API lists
    const row = list.locator('tbody tr').filter({ hasText: withdrawalId });
    await row.waitFor();
    expect(await list.locator('tbody tr').count()).toBe(1);
    expect(await row.locator('[data-status]').getAttribute('data-status')).toBe('PAID');
    expect(await row.textContent()).toContain('租房 RENT');
    expect(await row.textContent()).toContain('1500.00');
    await screenshot(page, 'member-rent-withdrawal');
    await checkAccessibility(page);

    // the bank settles the payment order (the simulator answers a moment later): after a refresh the list says so
    const member = await memberToken(acc.accountNo);
    await pollUntil(() => call('GET', `/v1/withdrawals/${withdrawalId}`, { token: member }), (r) => r.body.payment?.status === 'SETTLED');
    await page.getByRole('button', { name: '刷新 Refresh' }).click();
    await poll(() => row.locator('[data-payment-status]').getAttribute('data-payment-status')).toBe('SETTLED');
    expect(await row.textContent()).toContain('已结算 SETTLED');
    const api = await call('GET', `/v1/accounts/${acc.accountNo}/withdrawals`, { token: member });
    expect(api.body.items.map((w: any) => [w.withdrawalId, w.status, w.reason, w.amount])).toEqual([[withdrawalId, 'PAID', 'RENT', '1500.00']]);
    await page.getByRole('button', { name: '我的账户' }).click();
    await poll(() => page.getByTestId('balance').textContent()).toBe('8500.00');
    expect(o.problems).toEqual([]);
  });

  it('downloads the deposit certificate PDF and shows its verification code, verified valid', async () => {
    const acc = await openFundedAccount({ branch: uniqueBranch('BC'), balanceFen: 300_000, name: '李四' });
    const { page } = o;
    await signIn(page, 'member', acc.accountNo);
    await page.getByRole('button', { name: '证明' }).click();
    await page.getByRole('button', { name: '生成证明 Generate' }).click();
    const code = page.getByTestId('deposit-verification-code');
    await code.waitFor({ timeout: 2 * WAIT_MS }); // the runtime's first certificate PDF loads the renderer and its fonts
    const shown = { code: (await code.textContent())!, certificateNo: (await page.getByTestId('deposit-certificate-no').textContent())! };
    expect(shown.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/);
    await poll(() => page.getByTestId('deposit-verified').textContent()).toBe('有效 valid');
    // the certificate the API answers now (the latest again: nothing it states changed) is the one shown
    const api = await call('GET', `/v1/accounts/${acc.accountNo}/deposit-certificate`, { token: await memberToken(acc.accountNo) });
    expect(api.status).toBe(200);
    expect({ code: api.body.verificationCode, certificateNo: api.body.certificateNo }).toEqual(shown);

    const file = await downloaded(page, () => page.getByTestId('deposit-download').click());
    expect(file.fileName).toBe(`deposit-certificate-${acc.accountNo}.pdf`);
    expect(file.bytes.subarray(0, 4).toString('latin1')).toBe('%PDF');
    const read = await readPdf(new Uint8Array(file.bytes));
    expect(read.text).toContain(shown.certificateNo);
    expect(read.text).toContain(shown.code);
    expect(read.qr).toBe(api.body.verificationUrl);
    await screenshot(page, 'member-deposit-certificate');
    await checkAccessibility(page);
    expect(o.problems).toEqual([]);
  });
});
