// A clerk freezes an account (司法冻结) from the account lookup page, sees it FROZEN, then unfreezes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, staffToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { registerUnit, uniqueBranch } from '../e2e/deposits-fixtures.ts';
import { businessDate } from '../../shared/clock.ts';
import { checkAccessibility, openConsole, poll, screenshot, signIn, TEST_MS, type Opened } from './support.ts';

let o: Opened;
beforeAll(async () => {
  o = await openConsole();
});
afterAll(async () => o?.close());

describe('console: staff freeze', { timeout: TEST_MS }, () => {
  it('a clerk freezes an account from the lookup page, sees FROZEN, then unfreezes it', async () => {
    const branch = uniqueBranch('BF');
    const acct = await openFundedAccount({ branch, balanceFen: 500_000 });
    const { page } = o;
    await signIn(page, 'staff', '*'); // freezes are city-level staff's (or auditors')
    await page.getByRole('button', { name: '账户查询' }).click();
    await page.getByLabel('个人账号 accountNo').fill(acct.accountNo);
    await page.getByRole('button', { name: '查询 Look up' }).click();
    const status = page.getByTestId('account-status');
    await poll(() => status.getAttribute('data-status')).toBe('NORMAL');
    await checkAccessibility(page);

    // a refusal shows the API's problem in Chinese: a document number with an invisible character is a 400 naming the field
    await page.getByLabel('冻结原因 reason').fill('司法冻结');
    await page.getByLabel('冻结机关 authority').fill('杭州市上城区人民法院');
    await page.getByLabel('法律文书号 documentNo').fill('(2026)浙0102执\u200b1号');
    await page.getByRole('button', { name: '冻结 Freeze' }).click();
    const alert = page.getByRole('alert').filter({ hasText: '输入有误' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('documentNo');
    await screenshot(page, 'staff-freeze-refused');
    await checkAccessibility(page);
    expect((await call('GET', `/v1/accounts/${acct.accountNo}`, { token: await staffToken(branch) })).body.status).toBe('NORMAL');

    await page.getByLabel('法律文书号 documentNo').fill('(2026)浙0102执1号');
    await page.getByRole('button', { name: '冻结 Freeze' }).click();
    await page.getByRole('status').filter({ hasText: '已冻结 Frozen' }).waitFor();
    await poll(() => status.getAttribute('data-status')).toBe('FROZEN');
    expect(await status.textContent()).toContain('已冻结');
    await screenshot(page, 'staff-frozen');
    await checkAccessibility(page);
    const frozen = await call('GET', `/v1/accounts/${acct.accountNo}`, { token: await staffToken(branch) });
    expect(frozen.body.status).toBe('FROZEN');

    await page.getByLabel('解冻说明 note').fill('执行完毕，解除冻结');
    await page.getByRole('button', { name: '解冻 Unfreeze' }).click();
    await page.getByRole('status').filter({ hasText: '已解冻 Unfrozen' }).waitFor();
    await poll(() => status.getAttribute('data-status')).toBe('NORMAL');
    await screenshot(page, 'staff-unfrozen');
    await checkAccessibility(page);
    expect((await call('GET', `/v1/accounts/${acct.accountNo}`, { token: await staffToken(branch) })).body.status).toBe('NORMAL');
    expect(o.problems).toEqual([]);
  });

  it("a clerk's unit deferral (单位缓缴): a refusal names the field in Chinese, then it is approved", async () => {
    const branch = uniqueBranch('BD');
    const unit = await registerUnit(branch);
    const { page } = o;
    await signIn(page, 'staff', '*');
    await page.getByRole('button', { name: '缓缴缓还' }).click();
    await page.getByLabel('单位编号 unitId').fill(unit.unitId);
    await page.getByLabel('起始期间 fromPeriod（YYYY-MM）').first().fill('2026-09');
    await page.getByLabel('结束期间 toPeriod（YYYY-MM）').first().fill('2026-07');
    await page.getByLabel('缓缴原因 reason').fill('经营困难');
    await page.getByRole('form', { name: '单位缓缴 Unit deferral' }).getByRole('button', { name: '批准 Approve' }).click();
    const alert = page.getByRole('alert').filter({ hasText: '输入有误' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('toPeriod');
    await checkAccessibility(page);
    await page.getByLabel('起始期间 fromPeriod（YYYY-MM）').first().fill('2026-07');
    await page.getByLabel('结束期间 toPeriod（YYYY-MM）').first().fill('2026-09');
    await page.getByRole('form', { name: '单位缓缴 Unit deferral' }).getByRole('button', { name: '批准 Approve' }).click();
    await page.getByRole('status').filter({ hasText: `已批准缓缴 ${unit.unitId}：2026-07–2026-09` }).waitFor();
    await screenshot(page, 'staff-unit-deferral');
    await checkAccessibility(page);
    expect(o.problems).toEqual([]);
  });

  it("a unit agent's base adjustment (基数调整): a duplicate account is refused with the field named, then it is applied", async () => {
    const branch = uniqueBranch('BA');
    const unit = await registerUnit(branch);
    const emp = await openFundedAccount({ branch, unitId: unit.unitId, balanceFen: 100_000 });
    const year = businessDate().slice(0, 4);
    const { page } = o;
    await signIn(page, 'unit', unit.unitId);
    await page.getByRole('button', { name: '基数调整' }).click();
    await page.getByLabel('年度 year').fill(year);
    const lines = page.getByLabel(/职工与新基数 items/);
    await lines.fill(`${emp.accountNo} 9000\n${emp.accountNo} 9100`);
    await page.getByRole('button', { name: '提交调整 Submit' }).click();
    const alert = page.getByRole('alert').filter({ hasText: '输入有误' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('items');
    await checkAccessibility(page);
    await lines.fill(`${emp.accountNo} 9000`);
    await page.getByRole('button', { name: '提交调整 Submit' }).click();
    await page.getByRole('status').filter({ hasText: `已调整 ${year} 年度基数` }).waitFor();
    expect(await page.getByRole('status').textContent()).toContain('1 人');
    await screenshot(page, 'unit-base-adjustment');
    await checkAccessibility(page);
    const after = await call('GET', `/v1/accounts/${emp.accountNo}`, { token: await staffToken(branch) });
    expect(after.body.monthlyBase).toBe('9000.00');
    expect(o.problems).toEqual([]);
  });
});
