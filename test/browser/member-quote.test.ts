// A member signs in, sees the balance, and quotes a loan: the four limits and the binding one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, memberToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { uniqueBranch } from '../e2e/deposits-fixtures.ts';
import { checkAccessibility, openConsole, poll, screenshot, signIn, TEST_MS, type Opened } from './support.ts';

let o: Opened;
beforeAll(async () => {
  o = await openConsole();
});
afterAll(async () => o?.close());

describe('console: member', { timeout: TEST_MS }, () => {
  it('quotes a loan with its four limits', async () => {
    const acc = await openFundedAccount({ branch: uniqueBranch('BQ'), balanceFen: 2_000_000 });
    const { page } = o;
    await signIn(page, 'member', acc.accountNo);
    await poll(() => page.getByTestId('balance').textContent()).toBe('20000.00');
    await page.getByRole('button', { name: '贷款试算' }).click();
    await page.getByLabel('房价(元) housePrice').fill('1000000');
    await page.getByLabel('月收入(元) monthlyIncome').fill('50000');
    await page.getByRole('button', { name: '试算 Quote' }).click();
    const max = page.getByTestId('max-amount');
    await max.waitFor();
    // the console shows what the API answers
    const api = await call('POST', '/v1/loan-quotes', { token: await memberToken(acc.accountNo), body: { accountNo: acc.accountNo, housePrice: '1000000', monthlyIncome: '50000', termMonths: 360, firstHome: true, borrowerCategory: 'STANDARD', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT' }, idem: false });
    expect(api.status).toBe(200);
    expect(await max.textContent()).toBe(api.body.maxAmount);
    const quote = page.getByTestId('quote');
    for (const k of ['productCap', 'balanceMultiple', 'loanToValue', 'repaymentCapacity']) await poll(() => quote.textContent()).toContain(k);
    for (const v of Object.values(api.body.limits) as string[]) expect(await quote.textContent()).toContain(v);
    await screenshot(page, 'member-loan-quote');
    await checkAccessibility(page);
    expect(o.problems).toEqual([]);
  });
});
