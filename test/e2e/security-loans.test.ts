// Issue 14 (security, round two) for the loans and supervision routes, over HTTP against the local
// runtime: boundary inputs are refused with a problem document (never a 500), values just under the
// named maximum are answered correctly, money events are dated inside the policy history window,
// document numbers (bank references) are compared in their canonical form, free text is printable,
// and a staff token without a `branch` claim reads no indicators (deny by default).
import { describe, expect, it } from 'vitest';
import { SELLER } from '../support/seller.ts';
import { randomUUID } from 'node:crypto';
import { call, memberToken, staffToken, auditorToken, token } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { commit } from '../../shared/tx.ts';
import { ledgerWrite, mustGetAccount, type Account } from '../../shared/ledger/ledger.ts';
import { addDays, addMonths, businessDate, periodOf } from '../../shared/clock.ts';
import { D, MAX_AMOUNT_FEN, fenToYuan, yuanToFen } from '../../shared/money.ts';
import { POLICY_HISTORY_START } from '../../shared/schemas.ts';
import { encodeCursor } from '../../shared/ddb.ts';
import { firstPaymentFen } from '../../functions/loans/domain/amortization.ts';
import { getLoan, loanWriteItems } from '../../functions/loans/store.ts';

const newBranch = () => `SL${randomUUID().slice(0, 8)}`;
const today = () => businessDate();

/** An account with six monthly remittances up to last month (loan-eligible). */
async function depositor(branch: string, monthlyFen = 500_000): Promise<Account> {
  const acc = await openFundedAccount({ branch, idNumber: randomResidentId('1995-03-15') });
  const current = periodOf(today());
  await commit({
    plan: async () => {
      const account = await mustGetAccount(acc.accountNo);
      const postings = Array.from({ length: 6 }, (_, i) => ({ amountFen: monthlyFen, type: 'REMITTANCE' as const, period: addMonths(current, i - 6), ref: 'security-fixture', valueDate: today() }));
      return { items: ledgerWrite([{ account, postings }]).items, body: null };
    },
  });
  return mustGetAccount(acc.accountNo);
}

const application = (accountNo: string, over: Record<string, unknown> = {}) => ({
  accountNo,
  housePrice: '2000000',
  firstHome: true,
  termMonths: 120,
  monthlyIncome: '20000',
  borrowerCategory: 'TALENT',
  location: 'DISTRICT',
  repaymentMethod: 'EQUAL_INSTALLMENT',
  ...over,
});

/**
 * Dates the loan's application and approval `date` (a fixture: the API dates both today, and a
 * disbursement may not precede its approval), so that it can be disbursed on a past date.
 */
async function backdate(loanId: string, date: string) {
  await commit({
    plan: async () => {
      const loan = (await getLoan(loanId))!;
      return { items: loanWriteItems(loan, { ...loan, appliedOn: date, ...(loan.decision ? { decision: { ...loan.decision, on: date } } : {}) }), body: null };
    },
  });
}

/** An APPROVED loan of `amount` (applied by the member, approved by staff of the branch), its application and approval dated `approvedOn`. */
async function approvedLoan(branch: string, a: Account, over: Record<string, unknown> = {}, approvedOn = today()) {
  const applied = await call('POST', '/v1/loans', { token: await memberToken(a.accountNo), body: { ...application(a.accountNo, over), amount: '100000' } });
  expect(applied.status, JSON.stringify(applied.body)).toBe(201);
  const loanId = applied.body.loanId as string;
  expect((await call('POST', `/v1/loans/${loanId}/approve`, { token: await staffToken(branch) })).status).toBe(200);
  if (approvedOn !== today()) await backdate(loanId, approvedOn);
  return loanId;
}

const expectProblem = (res: { status: number; body: any }, status: number, code: string) => {
  expect([res.status, res.body?.code], JSON.stringify(res.body)).toEqual([status, code]);
  expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), detail: expect.any(String), status });
};

const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\u00ad', '\u202e', '\u0085', '\ud800'];
const LOOK_ALIKES = ['\u0410', '\u041e', '\u0420', '\u0421', '\u0415']; // Cyrillic А О Р С Е

describe('loan quotes and applications: money at the named maximum', () => {
  it('an amount beyond the maximum (9999999999999.99, 1000000000.01) is a 400 in every money field, never a 500', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    const staff = await staffToken(branch);
    const member = await memberToken(a.accountNo);
    for (const over of ['9999999999999.99', fenToYuan(MAX_AMOUNT_FEN + 1)]) {
      for (const field of ['housePrice', 'monthlyIncome']) {
        const quote = await call('POST', '/v1/loan-quotes', { token: staff, body: application(a.accountNo, { [field]: over }) });
        expectProblem(quote, 400, 'VALIDATION_FAILED');
        expect(quote.body.errors.map((e: any) => e.path)).toContain(`body.${field}`);
        expectProblem(await call('POST', '/v1/loans', { token: member, body: { ...application(a.accountNo, { [field]: over }), amount: '100000' } }), 400, 'VALIDATION_FAILED');
      }
      expectProblem(await call('POST', '/v1/loans', { token: member, body: { ...application(a.accountNo), amount: over } }), 400, 'VALIDATION_FAILED');
    }
  });

  it('a malformed amount (sign, space, exponent, full-width digits, three decimals, empty) is a 400 in every money field of the loans routes, never a 500', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    const staff = await staffToken(branch);
    const member = await memberToken(a.accountNo);
    const loanId = await approvedLoan(branch, a);
    expect((await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body: { payee: SELLER, disbursedOn: today() } })).status).toBe(200);
    for (const bad of ['-100', '-0', ' 100', '100 ', '+100', '1e5', 'Infinity', '１００', '100.001', '1,000', '', '00100', '.5']) {
      const sent = [
        call('POST', '/v1/loan-quotes', { token: staff, body: application(a.accountNo, { housePrice: bad }) }),
        call('POST', '/v1/loan-quotes', { token: staff, body: application(a.accountNo, { monthlyIncome: bad }) }),
        call('POST', '/v1/loans', { token: member, body: { ...application(a.accountNo), amount: bad } }),
        call('POST', `/v1/loans/${loanId}/repayments`, { token: staff, body: { amount: bad, paidOn: today(), bankRef: `BR-${randomUUID()}` } }),
        call('POST', `/v1/loans/${loanId}/prepayments`, { token: staff, body: { amount: bad, recalculation: 'REDUCE_TERM', source: 'BANK' } }),
      ];
      for (const res of await Promise.all(sent)) expectProblem(res, 400, 'VALIDATION_FAILED');
    }
  });

  it('values just under the maximum give a correct quote for every term and method (no unsafe integer, no 500)', async () => {
    const branch = newBranch();
    const a = await openFundedAccount({ branch, balanceFen: MAX_AMOUNT_FEN - 1 });
    const staff = await staffToken(branch);
    const top = fenToYuan(MAX_AMOUNT_FEN - 1); // 999999999.99
    expect(top).toBe('999999999.99');
    for (const termMonths of [1, 2, 360, 1200]) {
      for (const repaymentMethod of ['EQUAL_INSTALLMENT', 'EQUAL_PRINCIPAL']) {
        const res = await call('POST', '/v1/loan-quotes', { token: staff, body: application(a.accountNo, { housePrice: top, monthlyIncome: top, termMonths, repaymentMethod }) });
        expect(res.status, `${termMonths} months ${repaymentMethod}: ${JSON.stringify(res.body)}`).toBe(200);
        // 80% of 999,999,999.99 = 799,999,999.992 → 799,999,999.99; twenty times the balance; the talent cap binds
        expect(res.body).toMatchObject({ binding: 'productCap', limits: { loanToValue: '799999999.99', balanceMultiple: fenToYuan(20 * (MAX_AMOUNT_FEN - 1)) } });
        expect(res.body.maxAmount).toBe(res.body.limits.productCap);
        // repayment capacity, exact to the fen: its first payment fits half the income, one fen more does not
        const capacity = yuanToFen(res.body.limits.repaymentCapacity);
        const limitFen = new D(MAX_AMOUNT_FEN - 1).times('0.5').floor().toNumber();
        const annual = new D(res.body.annualRate).div(100).toString(); // "2.6" (percent) → "0.026"
        expect(firstPaymentFen(repaymentMethod as any, capacity, annual, termMonths)).toBeLessThanOrEqual(limitFen);
        expect(firstPaymentFen(repaymentMethod as any, capacity + 1, annual, termMonths)).toBeGreaterThan(limitFen);
      }
    }
  });

  it('an application at the maximum is judged (422 NOT_ELIGIBLE, with every reason), not a 500; termMonths outside 1–1200 is a 400', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    const member = await memberToken(a.accountNo);
    const top = fenToYuan(MAX_AMOUNT_FEN - 1);
    const res = await call('POST', '/v1/loans', { token: member, body: { ...application(a.accountNo, { housePrice: top, monthlyIncome: top, termMonths: 1200 }), amount: top } });
    expectProblem(res, 422, 'NOT_ELIGIBLE');
    expect(res.body.errors.map((e: any) => e.reason)).toEqual(expect.arrayContaining(['TERM_TOO_LONG', 'AGE_AT_MATURITY', 'AMOUNT_ABOVE_MAXIMUM']));
    for (const termMonths of [0, -1, 1201, 1.5, 2 ** 53, '12']) {
      expectProblem(await call('POST', '/v1/loan-quotes', { token: member, body: application(a.accountNo, { termMonths }) }), 400, 'VALIDATION_FAILED');
    }
  });
});

describe('money events are dated from the start of the policy history to today', () => {
  it('a disbursement dated 9999-12-01, tomorrow, 1990-01-01 or before the policy history is a 400 and changes nothing; today is accepted', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    const staff = await staffToken(branch);
    const loanId = await approvedLoan(branch, a);
    for (const disbursedOn of ['9999-12-01', addDays(today(), 1), '1990-01-01', addDays(POLICY_HISTORY_START, -1), '2026-02-30']) {
      const res = await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body: { payee: SELLER, disbursedOn } });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors.map((e: any) => e.path)).toContain('body.disbursedOn');
    }
    for (const dueDay of [0, 32, -1]) expectProblem(await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body: { payee: SELLER, disbursedOn: today(), dueDay } }), 400, 'VALIDATION_FAILED');
    expect((await call('GET', `/v1/loans/${loanId}`, { token: staff })).body.status).toBe('APPROVED');
    const ok = await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body: { payee: SELLER, disbursedOn: today(), dueDay: 31 } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.status).toBe('ACTIVE');
  });

  it('a disbursement on the first day of the policy history is accepted (the window is inclusive)', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    const loanId = await approvedLoan(branch, a, { termMonths: 12 }, POLICY_HISTORY_START);
    const res = await call('POST', `/v1/loans/${loanId}/disburse`, { token: await staffToken(branch), body: { payee: SELLER, disbursedOn: POLICY_HISTORY_START } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    // the loan is closed again at once (so that no daily run meets its installments, all long past)
    const payoff = await call('POST', `/v1/loans/${loanId}/prepayments`, { token: await staffToken(branch), body: { full: true, source: 'BANK' } });
    expect([payoff.status, payoff.body.loanStatus], JSON.stringify(payoff.body)).toEqual([201, 'CLOSED']);
  });

  it('a repayment paidOn 1990-01-01 ("no policy in force"), 9999-12-01 or tomorrow is a 400; an amount beyond the maximum is a 400, one under it a 422', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    const staff = await staffToken(branch);
    const loanId = await approvedLoan(branch, a);
    expect((await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body: { payee: SELLER, disbursedOn: today() } })).status).toBe(200);
    for (const paidOn of ['1990-01-01', '9999-12-01', addDays(today(), 1), addDays(POLICY_HISTORY_START, -1)]) {
      const res = await call('POST', `/v1/loans/${loanId}/repayments`, { token: staff, body: { amount: '100', paidOn, bankRef: `BR-${randomUUID()}` } });
      expectProblem(res, 400, 'VALIDATION_FAILED');
      expect(res.body.errors.map((e: any) => e.path)).toContain('body.paidOn');
    }
    expectProblem(await call('POST', `/v1/loans/${loanId}/repayments`, { token: staff, body: { amount: '9999999999999.99', paidOn: today(), bankRef: `BR-${randomUUID()}` } }), 400, 'VALIDATION_FAILED');
    // nothing is due yet today: more than is due is a prepayment, refused by policy
    expectProblem(await call('POST', `/v1/loans/${loanId}/repayments`, { token: staff, body: { amount: '999999999.99', paidOn: today(), bankRef: `BR-${randomUUID()}` } }), 422, 'POLICY_VIOLATION');
    expectProblem(await call('POST', `/v1/loans/${loanId}/prepayments`, { token: staff, body: { amount: '9999999999999.99', recalculation: 'REDUCE_TERM', source: 'BANK' } }), 400, 'VALIDATION_FAILED');
    const huge = await call('POST', `/v1/loans/${loanId}/prepayments`, { token: staff, body: { amount: '999999999.99', recalculation: 'REDUCE_TERM', source: 'BANK' } });
    expect(huge.status, JSON.stringify(huge.body)).toBeLessThan(500);
    expect(huge.status).toBeGreaterThanOrEqual(400);
    const fromAccount = await call('POST', `/v1/loans/${loanId}/prepayments`, { token: await memberToken(a.accountNo), body: { amount: '999999999.99', recalculation: 'REDUCE_TERM', source: 'ACCOUNT' } });
    expect(fromAccount.status, JSON.stringify(fromAccount.body)).toBeLessThan(500);
    expect(fromAccount.status).toBeGreaterThanOrEqual(400);
    expect((await call('GET', `/v1/loans/${loanId}`, { token: staff })).body).toMatchObject({ status: 'ACTIVE', outstandingPrincipal: '100000.00' });
  });
});

describe('bank references are document numbers: one canonical form, invisible and look-alike characters refused', () => {
  it('br-1, ＢＲ－１ and BR-1 are the same bank report (applied once); invisible characters and look-alike letters are a 400', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    const staff = await staffToken(branch);
    // approved three months ago and disbursed then: its first installment (due on the 1st) is due by today
    const start = addMonths(periodOf(today()), -3);
    const loanId = await approvedLoan(branch, a, { termMonths: 12 }, `${start}-01`);
    expect((await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body: { payee: SELLER, disbursedOn: `${start}-01`, dueDay: 1 } })).status).toBe(200);
    const [first] = (await call('GET', `/v1/loans/${loanId}/schedule`, { token: staff })).body.installments;
    expect(first.dueDate).toBe(`${addMonths(start, 1)}-01`);
    const ref = `br-${randomUUID().slice(0, 8)}`;
    const repay = (bankRef: string, amount = '1') => call('POST', `/v1/loans/${loanId}/repayments`, { token: staff, body: { amount, paidOn: first.dueDate, bankRef } });

    for (const ch of [...INVISIBLE, ...LOOK_ALIKES]) {
      for (const bankRef of [`${ref.slice(0, 3)}${ch}${ref.slice(3)}`, `${ch}${ref}`, `${ref}${ch}`]) {
        const res = await repay(bankRef);
        expect(res.status, `bankRef ${JSON.stringify(bankRef)}: ${JSON.stringify(res.body)}`).toBe(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
      }
    }
    for (const bankRef of ['', ' ', 'A'.repeat(65), 'BR 1', 'BR:1']) expectProblem(await repay(bankRef), 400, 'VALIDATION_FAILED');
    expect((await call('GET', `/v1/loans/${loanId}/schedule`, { token: staff })).body.installments[0].paid).toBe('0.00');

    const applied = await repay(ref);
    expect(applied.status, JSON.stringify(applied.body)).toBe(201);
    expect(applied.body).toMatchObject({ bankRef: ref.toUpperCase(), amount: '1.00', installments: [1] });
    const after = (await call('GET', `/v1/loans/${loanId}/schedule`, { token: staff })).body.installments;
    const fullWidth = ref.toUpperCase().replace(/[A-Z0-9-]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    for (const same of [ref.toUpperCase(), fullWidth, ` ${ref}`.trim()]) expectProblem(await repay(same), 409, 'CONFLICT');
    expect((await call('GET', `/v1/loans/${loanId}/schedule`, { token: staff })).body.installments).toEqual(after);
    // the loan is closed again (so that no daily run meets its overdue installments)
    const payoff = await call('POST', `/v1/loans/${loanId}/prepayments`, { token: staff, body: { full: true, source: 'BANK' } });
    expect([payoff.status, payoff.body.loanStatus], JSON.stringify(payoff.body)).toEqual([201, 'CLOSED']);
  });
});

describe('free text of loans and supervision is printable text', () => {
  it('a review note, a deferral reason, a finding resolution and a rating comment made only of invisible characters, or with a direction override, are a 400', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    const staff = await staffToken(branch);
    const loanId = await approvedLoan(branch, a);
    const junk = ['\u200b', '\u00ad\u200d', ' \u2060 ', 'ok\u202eko', '\u0085', 'x\ud800'];
    for (const note of junk) {
      expectProblem(await call('POST', `/v1/loans/${loanId}/reject`, { token: staff, body: { note } }), 400, 'VALIDATION_FAILED');
    }
    expect((await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body: { payee: SELLER, disbursedOn: today() } })).status).toBe(200);
    const p = addMonths(periodOf(today()), 2);
    for (const reason of [...junk, '']) {
      expectProblem(await call('POST', `/v1/loans/${loanId}/deferrals`, { token: staff, body: { fromPeriod: p, toPeriod: p, reason } }), 400, 'VALIDATION_FAILED');
    }
    const auditor = await auditorToken();
    for (const note of junk) {
      expectProblem(await call('POST', `/v1/supervision/findings/F-NONE-${randomUUID()}/resolve`, { token: auditor, body: { note } }), 400, 'VALIDATION_FAILED');
    }
    const member = await memberToken(a.accountNo);
    for (const comment of junk) {
      expectProblem(await call('POST', '/v1/ratings', { token: member, body: { subjectType: 'LOAN', subjectId: loanId, score: 5, comment } }), 400, 'VALIDATION_FAILED');
    }
    const loan = (await call('GET', `/v1/loans/${loanId}`, { token: staff })).body;
    expect(loan.status).toBe('ACTIVE');
  });

  it('deferral periods at the ends of the calendar (1990-01, 2100-12) are a policy refusal, outside it a 400, never a 500', async () => {
    const branch = newBranch();
    const a = await depositor(branch);
    const staff = await staffToken(branch);
    const loanId = await approvedLoan(branch, a);
    expect((await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body: { payee: SELLER, disbursedOn: today() } })).status).toBe(200);
    const defer = (fromPeriod: string, toPeriod: string) => call('POST', `/v1/loans/${loanId}/deferrals`, { token: staff, body: { fromPeriod, toPeriod, reason: '重大疾病' } });
    for (const [f, t] of [['1990-01', '1990-01'], ['2100-12', '2100-12'], ['1990-01', '1990-12']]) expectProblem(await defer(f, t), 422, 'POLICY_VIOLATION');
    for (const [f, t] of [['1989-12', '1990-01'], ['2100-12', '2101-01'], ['2100-12', '1990-01'], ['2030-00', '2030-01'], ['2030-13', '2030-13']]) expectProblem(await defer(f, t), 400, 'VALIDATION_FAILED');
    // a deferral over the whole life of the loan defers every installment: answered, not a 500
    const all = await defer('1990-01', '2100-12');
    expect(all.status, JSON.stringify(all.body)).toBeLessThan(500);
    if (all.status === 201) expect(all.body.installments).toHaveLength(120);
    else expect(all.body.code).toEqual(expect.any(String));
  });
});

describe('supervision indicators: deny by default, boundary ranges', () => {
  it('a staff token without a branch claim reads no indicators (403), city-wide or of a branch', async () => {
    const noBranch = await token({ role: 'staff' });
    for (const path of ['/v1/supervision/indicators', '/v1/supervision/indicators?branch=SC', `/v1/supervision/indicators/history?from=${addDays(today(), -7)}&to=${today()}`, `/v1/supervision/indicators/history?from=${addDays(today(), -7)}&to=${today()}&branch=SC`]) {
      expectProblem(await call('GET', path, { token: noBranch }), 403, 'FORBIDDEN');
    }
    // the same reads with a branch claim: the own branch only
    const clerk = await staffToken('SC');
    expect((await call('GET', '/v1/supervision/indicators', { token: clerk })).body.branch).toBe('SC');
    expectProblem(await call('GET', '/v1/supervision/indicators?branch=XX', { token: clerk }), 403, 'FORBIDDEN');
  });

  it('history over a century, reversed, or with a cursor outside the range or of another branch: an answer or a 400, never a 500', async () => {
    const auditor = await auditorToken();
    const wide = await call('GET', '/v1/supervision/indicators/history?from=1990-01-01&to=2100-12-31&limit=1', { token: auditor });
    expect(wide.status, JSON.stringify(wide.body)).toBe(200);
    expect(wide.body.items).toEqual(expect.any(Array));
    expectProblem(await call('GET', '/v1/supervision/indicators/history?from=2100-12-31&to=1990-01-01', { token: auditor }), 400, 'VALIDATION_FAILED');
    for (const q of ['from=0000-01-01&to=9999-12-31', 'from=2026-02-29&to=2026-03-01', 'from=2026-1-1&to=2026-01-02', 'limit=0&from=2026-01-01&to=2026-01-02', 'limit=201&from=2026-01-01&to=2026-01-02']) {
      const res = await call('GET', `/v1/supervision/indicators/history?${q}`, { token: auditor });
      expect(res.status, `${q}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
      if (res.status !== 200) expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    const from = addDays(today(), -30);
    for (const [what, cursor] of [
      ['before the range', encodeCursor({ pk: 'SNAP#*', sk: '1990-01-01' })!],
      ['after the range', encodeCursor({ pk: 'SNAP#*', sk: '2100-12-31' })!],
      ['of another branch', encodeCursor({ pk: 'SNAP#SC', sk: from })!],
      ['not a date', encodeCursor({ pk: 'SNAP#*', sk: 'x' })!],
    ]) {
      const res = await call('GET', `/v1/supervision/indicators/history?from=${from}&to=${today()}&cursor=${cursor}`, { token: auditor });
      expect(res.status, `a cursor ${what}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
    // a cursor inside the range is a page (the next after it)
    const inside = await call('GET', `/v1/supervision/indicators/history?from=${from}&to=${today()}&cursor=${encodeCursor({ pk: 'SNAP#*', sk: from })}`, { token: auditor });
    expect(inside.status, JSON.stringify(inside.body)).toBe(200);
    for (const period of ['1990-01', '2100-12']) {
      const res = await call('GET', `/v1/supervision/indicators?period=${period}`, { token: auditor });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.netFlow.period).toBe(period);
    }
  });
});
