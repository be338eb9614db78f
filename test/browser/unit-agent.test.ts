// A unit's agent hires an employee and creates a remittance; and follows the unit's remittance lists:
// what was due, what the bank received and what was credited to the employees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseUrl, call, unitToken } from '../support/http.ts';
import { randomResidentId } from '../support/fixtures.ts';
import { pollUntil, registerUnit, uniqueBranch } from '../e2e/deposits-fixtures.ts';
import { addMonths, businessDate, periodOf } from '../../shared/clock.ts';
import { checkAccessibility, openConsole, poll, screenshot, signIn, TEST_MS, type Opened } from './support.ts';

let o: Opened;
beforeAll(async () => {
  o = await openConsole();
});
afterAll(async () => o?.close());

describe('console: unit agent', { timeout: TEST_MS }, () => {
  it('hires an employee and creates a remittance', async () => {
    const unit = await registerUnit(uniqueBranch('BU'));
    const { page } = o;
    await signIn(page, 'unit', unit.unitId);
    await page.getByLabel('姓名 name').fill('王小明');
    await page.getByLabel('身份证号 idNumber').fill(randomResidentId());
    await page.getByLabel('月缴存基数(元) monthlyBase').fill('8000');
    await page.getByRole('button', { name: '开户 Hire' }).click();
    await page.getByRole('status').filter({ hasText: '已开户' }).waitFor();
    await poll(() => page.getByRole('table', { name: '本单位职工' }).locator('tbody tr').count()).toBe(1);
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
    await poll(() => page.getByRole('table', { name: '本单位汇缴单' }).textContent()).toContain(remittanceId);
    await screenshot(page, 'unit-remittance');
    await checkAccessibility(page);
    expect(o.problems).toEqual([]);
  });

  it('sees the remittance lists, newest period first, with what the bank received and what was credited', async () => {
    const current = periodOf(businessDate());
    const unit = await registerUnit(uniqueBranch('BR'), { startPeriod: addMonths(current, -1) });
    const agent = await unitToken(unit.unitId);
    for (const [name, monthlyBase] of [['赵一', '8000'], ['钱二', '6000']]) {
      const hired = await call('POST', `/v1/units/${unit.unitId}/employees`, { token: agent, body: { idNumber: randomResidentId(), name, monthlyBase } });
      expect(hired.status, JSON.stringify(hired.body)).toBe(201);
    }
    // last month's list, paid at the bank (the simulator's signed arrival notice settles it, then it posts)
    const last = await call('POST', `/v1/units/${unit.unitId}/remittances`, { token: agent, body: { period: addMonths(current, -1) } });
    expect(last.status, JSON.stringify(last.body)).toBe(201);
    expect(last.body.totalAmount).toBe('3360.00');
    const arrived = await fetch(`${baseUrl()}/_local/bank/arrivals`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ amount: last.body.totalAmount, reference: last.body.remittanceId, payerName: '测试单位', payerAccount: '6222000000000001' }) });
    expect(arrived.status).toBe(200);
    const posted = (await pollUntil(() => call('GET', `/v1/remittances/${last.body.remittanceId}`, { token: agent }), (r) => r.body.status === 'POSTED')).body;

    const { page } = o;
    await signIn(page, 'unit', unit.unitId);
    await page.getByRole('button', { name: '汇缴', exact: true }).click();
    await page.getByLabel('所属月份 period (YYYY-MM)').fill(current); // this month's, from the console
    await page.getByRole('button', { name: '生成 Create' }).click();
    const done = page.getByRole('status').filter({ hasText: '已生成汇缴单' });
    await done.waitFor();
    const thisMonth = (await done.textContent())!.replace('已生成汇缴单', '').trim();
    const table = page.getByRole('table', { name: '本单位汇缴单' });
    const rows = table.locator('tbody tr');
    await poll(() => rows.count()).toBe(2);
    // newest period first, as the API lists them
    const api = (await call('GET', `/v1/units/${unit.unitId}/remittances`, { token: agent })).body.items as any[];
    expect(api.map((r) => r.remittanceId)).toEqual([thisMonth, last.body.remittanceId]);
    const [now, paid] = [await rows.nth(0).locator('td').allTextContents(), await rows.nth(1).locator('td').allTextContents()];
    expect(now.slice(0, 8)).toEqual([thisMonth, current, '正常汇缴 REGULAR', '待到账 AWAITING_FUNDS', '2 人 · 3360.00', '—', '0 人 · 0.00', '0 人 · 0.00']);
    expect(paid.slice(0, 8)).toEqual([last.body.remittanceId, addMonths(current, -1), '正常汇缴 REGULAR', '已入账 POSTED', '2 人 · 3360.00', `3360.00（${posted.settlement.settledOn}）`, '2 人 · 3360.00', '0 人 · 0.00']);
    // its posting, as the remittance answers it: every chunk posted
    await page.getByRole('button', { name: `状态 Status ${last.body.remittanceId}` }).click();
    await poll(() => page.locator(`[data-run-id="${last.body.remittanceId}"] [data-run-status]`).getAttribute('data-run-status')).toBe('POSTED');
    expect(await page.locator(`[data-run-id="${last.body.remittanceId}"]`).getByTestId('run-progress').textContent()).toBe(`${posted.chunks}/${posted.chunks}`);
    await screenshot(page, 'unit-remittance-lists');
    await checkAccessibility(page);
    expect(o.problems).toEqual([]);
  });
});
