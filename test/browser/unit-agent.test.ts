// A unit's agent hires an employee and creates a remittance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, unitToken } from '../support/http.ts';
import { randomResidentId } from '../support/fixtures.ts';
import { registerUnit, uniqueBranch } from '../e2e/deposits-fixtures.ts';
import { checkAccessibility, openConsole, screenshot, signIn, type Opened } from './support.ts';

let o: Opened;
beforeAll(async () => {
  o = await openConsole();
});
afterAll(async () => o?.close());

describe('console: unit agent', () => {
  it('hires an employee and creates a remittance', async () => {
    const unit = await registerUnit(uniqueBranch('BU'));
    const { page } = o;
    await signIn(page, 'unit', unit.unitId);
    await page.getByLabel('姓名 name').fill('王小明');
    await page.getByLabel('身份证号 idNumber').fill(randomResidentId());
    await page.getByLabel('月缴存基数(元) monthlyBase').fill('8000');
    await page.getByRole('button', { name: '开户 Hire' }).click();
    await page.getByRole('status').filter({ hasText: '已开户' }).waitFor();
    await expect.poll(() => page.getByRole('table', { name: '本单位职工' }).locator('tbody tr').count()).toBe(1);
    expect(await page.getByRole('table', { name: '本单位职工' }).textContent()).toContain('王小明');
    await screenshot(page, 'unit-employees');
    await checkAccessibility(page);

    await page.getByRole('button', { name: '汇缴', exact: true }).click();
    await page.getByRole('button', { name: '生成 Create' }).click();
    const done = page.getByRole('status').filter({ hasText: '已生成汇缴单' });
    await done.waitFor();
    const remittanceId = (await done.textContent())!.replace('已生成汇缴单', '').trim();
    await page.locator('[data-run-status]').waitFor();
    const api = await call('GET', `/v1/remittances/${remittanceId}`, { token: await unitToken(unit.unitId) });
    expect(api.status).toBe(200);
    expect(await page.getByRole('table', { name: '本次会话生成的汇缴单' }).textContent()).toContain(remittanceId);
    await screenshot(page, 'unit-remittance');
    await checkAccessibility(page);
    expect(o.problems).toEqual([]);
  });
});
