// One member's whole life through the API (architecture.md: "Flows that cross domains"), moving time
// with the local schedule control: hired, six remittances, a rent withdrawal, a loan with a
// co-borrower who consented, monthly offset, a hardship deferral and the months after it (never
// overdue), a prepayment from the account, the payoff and its certificate, sealed, transferred out to
// another center. At the end every account equals its entries, and the branch's fund totals equal
// the accounts.
//
// Today is the real business date; the loan is disbursed today and its due dates lie ahead, so the
// loans' daily run is driven for those days through POST /_local/schedules/loans-daily {date}.
import { describe, it, expect, afterAll } from 'vitest';
import { SELLER } from '../support/seller.ts';
import { randomUUID } from 'node:crypto';
import { businessDate, addMonths, periodOf } from '../../shared/clock.ts';
import { uniqueBranch } from './deposits-fixtures.ts';
import {
  call,
  ok,
  fen,
  yuan,
  hire,
  remit,
  runSchedule,
  statement,
  expectAccountEqualsEntries,
  startPartner,
  registerUnit,
  pollUntil,
  staffToken,
  unitToken,
  memberToken,
  auditorToken,
} from './life-support.ts';

const today = businessDate();
const thisPeriod = periodOf(today);
/** The 1st of the month `n` months after this one. */
const firstOf = (n: number) => `${addMonths(thisPeriod, n)}-01`;
const partners: Array<{ stop: () => Promise<void> }> = [];
afterAll(async () => {
  for (const p of partners) await p.stop();
});

describe('a member’s life (hire → remittances → rent → loan with co-borrower → offset → deferral → prepayment → payoff → seal → transfer out)', () => {
  it('follows the money through every domain, to the fen', { timeout: 300_000 }, async () => {
    const branch = uniqueBranch('LIFE');
    const staff = await staffToken(branch);
    const unit = await registerUnit(branch, { startPeriod: addMonths(thisPeriod, -6) });

    // hired, with the spouse in the same unit: base 8,000.00 at 12% + 12% → 1,920.00 a month each
    const borrower = await hire(unit.unitId, '王小明', '8000', addMonths(thisPeriod, -6));
    const spouse = await hire(unit.unitId, '李小红', '8000', addMonths(thisPeriod, -6));
    const b = await memberToken(borrower.accountNo);
    const s = await memberToken(spouse.accountNo);

    // six remittances, each posted once
    for (let k = -6; k <= -1; k++) {
      const r = await remit(unit.unitId, branch, addMonths(thisPeriod, k));
      expect(r).toMatchObject({ headcount: 2, totalAmount: '3840.00' });
    }
    const afterRemittances = ok(await call('GET', `/v1/accounts/${borrower.accountNo}`, { token: b }));
    expect(afterRemittances.balance).toBe('11520.00');
    expect(afterRemittances.lastPaidPeriod).toBe(addMonths(thisPeriod, -1));

    // a rent withdrawal (public rental housing: lease contract and receipt), paid at once
    const rent = ok(
      await call('POST', '/v1/withdrawals', {
        token: b,
        body: { accountNo: borrower.accountNo, reason: 'RENT', amount: '1500.00', payeeBankAccount: '6222020200001234567', evidence: { housingKind: 'PUBLIC_RENTAL', leaseContractNo: `GZF-${randomUUID().slice(0, 8)}`, rentReceiptNo: 'R-2026-001' } },
      }),
      201,
    );
    expect(rent).toMatchObject({ status: 'PAID', amount: '1500.00', reasonCode: '07' });

    // the co-borrower consents with her own sign-in; without it the quote would be refused
    const application = {
      accountNo: borrower.accountNo,
      coBorrowerAccountNo: spouse.accountNo,
      housePrice: '600000',
      firstHome: true,
      termMonths: 24,
      monthlyIncome: '12000',
      borrowerCategory: 'STANDARD',
      location: 'DISTRICT',
      repaymentMethod: 'EQUAL_INSTALLMENT',
    };
    const refused = await call('POST', '/v1/loan-quotes', { token: b, body: application });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toContainEqual({ path: 'body.coBorrowerAccountNo', message: 'CO_BORROWER_CONSENT_MISSING' });
    const consent = ok(await call('POST', '/v1/co-borrower-consents', { token: s, body: { borrowerAccountNo: borrower.accountNo } }), 201);
    expect(consent).toMatchObject({ borrowerAccountNo: borrower.accountNo, coBorrowerAccountNo: spouse.accountNo });
    const quote = ok(await call('POST', '/v1/loan-quotes', { token: b, body: application }));
    // balance multiple: 20 × (10,020.00 + 11,520.00) = 430,800.00
    expect(quote.limits.balanceMultiple).toBe('430800.00');
    expect(quote.annualRate).toBe('2.1');

    const applied = ok(await call('POST', '/v1/loans', { token: b, body: { ...application, amount: '24000' } }), 201);
    const loanId: string = applied.loanId;
    ok(await call('POST', `/v1/loans/${loanId}/approve`, { token: staff, body: {} }));
    const disbursed = ok(await call('POST', `/v1/loans/${loanId}/disburse`, { token: staff, body: { payee: SELLER, disbursedOn: today, dueDay: 1 } }));
    expect(disbursed).toMatchObject({ status: 'ACTIVE', outstandingPrincipal: '24000.00' });
    ok(await call('PUT', `/v1/loans/${loanId}/offset`, { token: b, body: { enabled: true }, idem: false }));

    const schedule = async () => ok(await call('GET', `/v1/loans/${loanId}/schedule`, { token: b })).installments as any[];
    const rows0 = await schedule();
    expect(rows0).toHaveLength(24);
    expect(rows0[0].dueDate).toBe(firstOf(1));
    const paymentFen = fen(rows0[0].payment);

    // monthly offset: installments 1 and 2 are paid from the borrower's balance on their due days
    await runSchedule('loans-daily', firstOf(1));
    await runSchedule('loans-daily', firstOf(2));
    let rows = await schedule();
    expect(rows.slice(0, 2).map((r) => r.status)).toEqual(['PAID', 'PAID']);
    const offsets = (await statement(borrower.accountNo, b)).filter((e) => e.type === 'LOAN_OFFSET');
    expect(offsets.map((e) => fen(e.amount))).toEqual([-paymentFen, -paymentFen]);

    // hardship deferral of months 3–5: they move after the last regular installment, amounts unchanged
    const deferral = ok(await call('POST', `/v1/loans/${loanId}/deferrals`, { token: staff, body: { fromPeriod: addMonths(thisPeriod, 3), toPeriod: addMonths(thisPeriod, 5), reason: '疫情困难' } }), 201);
    expect(deferral.installments).toEqual([3, 4, 5]);
    rows = await schedule();
    const deferred = rows.filter((r) => r.status === 'DEFERRED');
    expect(deferred.map((r) => r.no)).toEqual([3, 4, 5]);
    expect(deferred.map((r) => r.dueDate)).toEqual([firstOf(25), firstOf(26), firstOf(27)]);
    expect(deferred.map((r) => r.payment)).toEqual(rows0.slice(2, 5).map((r) => r.payment));
    const loanAfterDeferral = ok(await call('GET', `/v1/loans/${loanId}`, { token: b }));
    expect(loanAfterDeferral.maturityDate).toBe(firstOf(27));

    // the deferral window and the months after it: never overdue, no penalty, offset resumes at month 6
    const balanceBeforeWindow = fen(ok(await call('GET', `/v1/accounts/${borrower.accountNo}`, { token: b })).balance);
    for (const n of [3, 4, 5]) await runSchedule('loans-daily', `${addMonths(thisPeriod, n)}-02`);
    expect(fen(ok(await call('GET', `/v1/accounts/${borrower.accountNo}`, { token: b })).balance)).toBe(balanceBeforeWindow);
    for (const n of [6, 7]) await runSchedule('loans-daily', `${addMonths(thisPeriod, n)}-02`);
    rows = await schedule();
    expect(rows.find((r) => r.no === 6).status).toBe('PAID');
    expect(rows.find((r) => r.no === 7).status).toBe('PAID');
    expect(rows.filter((r) => r.status === 'OVERDUE')).toEqual([]);
    const midLoan = ok(await call('GET', `/v1/loans/${loanId}`, { token: b }));
    expect(midLoan.overdue).toMatchObject({ installments: 0, amount: '0.00' });

    // a partial prepayment from the account: the same flow as an HPF_LOAN_REPAYMENT withdrawal
    const before = fen(ok(await call('GET', `/v1/accounts/${borrower.accountNo}`, { token: b })).balance);
    const outstandingBefore = fen(midLoan.outstandingPrincipal);
    const pre = ok(await call('POST', `/v1/loans/${loanId}/prepayments`, { token: b, body: { amount: '2000.00', recalculation: 'REDUCE_TERM', source: 'ACCOUNT' } }), 201);
    expect(pre).toMatchObject({ kind: 'PARTIAL', amount: '2000.00', source: 'ACCOUNT', withdrawalId: expect.any(String) });
    expect(fen(pre.outstandingPrincipal)).toBe(outstandingBefore - 200_000);
    expect(fen(ok(await call('GET', `/v1/accounts/${borrower.accountNo}`, { token: b })).balance)).toBe(before - 200_000);
    const withdrawals = ok(await call('GET', `/v1/accounts/${borrower.accountNo}/withdrawals`, { token: b })).items as any[];
    expect(withdrawals.find((w) => w.withdrawalId === pre.withdrawalId)).toMatchObject({ reason: 'HPF_LOAN_REPAYMENT', status: 'PAID', amount: '2000.00' });

    // the payoff: from the bank, the loan closes and its certificate is issued
    const payoff = ok(await call('POST', `/v1/loans/${loanId}/prepayments`, { token: b, body: { full: true, source: 'BANK' } }), 201);
    expect(payoff).toMatchObject({ kind: 'FULL', loanStatus: 'CLOSED', outstandingPrincipal: '0.00' });
    const closed = ok(await call('GET', `/v1/loans/${loanId}`, { token: b }));
    expect(closed).toMatchObject({ status: 'CLOSED', outstandingPrincipal: '0.00' });
    const certificate = ok(await call('GET', `/v1/loans/${loanId}/payoff-certificate`, { token: b }));
    expect(certificate).toMatchObject({ loanId, certificateNo: expect.any(String) });

    // the loan's archive: every step of its life, with who and when
    const archive = ok(await call('GET', `/v1/archive/LOAN/${loanId}`, { token: await auditorToken() }));
    expect(archive.records.length).toBeGreaterThanOrEqual(6);
    for (const r of archive.records) expect(r).toMatchObject({ action: expect.any(String), actor: { sub: expect.any(String), role: expect.any(String) }, at: expect.any(String), submittedSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

    // the member rates the rent withdrawal
    ok(await call('POST', '/v1/ratings', { token: b, body: { subjectType: 'WITHDRAWAL', subjectId: rent.withdrawalId, score: 5 } }), 201);

    // sealed (left the unit) with the `{}` body most clients send, then transferred out to another center
    ok(await call('POST', `/v1/units/${unit.unitId}/employees/${borrower.accountNo}/seal`, { token: await unitToken(unit.unitId), body: {} }));
    const partnerCode = `9${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
    const partner = await startPartner(partnerCode, `life-secret-${randomUUID()}`);
    partners.push(partner);
    const sealedBalance = fen(ok(await call('GET', `/v1/accounts/${borrower.accountNo}`, { token: b })).balance);
    const sent = ok(await partner.send(`T-${randomUUID()}`, 'TRANSFER_REQUEST', { idNumber: borrower.idNumber, name: borrower.name }), 202);
    const done = await pollUntil(() => partner.poll(sent.trackingId), (r) => ['COMPLETED', 'REJECTED'].includes(r.body?.status), 60_000);
    expect(done.body.status, JSON.stringify(done.body)).toBe('COMPLETED');
    const interestFen = fen(done.body.result.interest);
    expect(fen(done.body.result.amount)).toBe(sealedBalance + interestFen);
    const out = ok(await call('GET', `/v1/accounts/${borrower.accountNo}`, { token: await staffToken(branch) }));
    expect(out).toMatchObject({ status: 'CLOSED', balance: '0.00' });
    await pollUntil(async () => partner.callbacks, (c) => c.some((x) => x.trackingId === sent.trackingId), 30_000);
    expect(partner.callbacks.find((x) => x.trackingId === sent.trackingId)).toMatchObject({ status: 'COMPLETED', type: 'TRANSFER_REQUEST' });

    // every account equals its entries, and the branch's totals equal its accounts
    const bFinal = await expectAccountEqualsEntries(borrower.accountNo);
    const sFinal = await expectAccountEqualsEntries(spouse.accountNo);
    const byType = (entries: any[], type: string) => entries.filter((e) => e.type === type).reduce((n, e) => n + fen(e.amount), 0);
    // the borrower's money: 6 × 1,920.00 in, rent out, offsets out, the prepayment out, interest in, all transferred out
    expect(byType(bFinal.entries, 'REMITTANCE')).toBe(6 * 192_000);
    expect(byType(bFinal.entries, 'WITHDRAWAL')).toBe(-150_000 - 200_000);
    expect(byType(bFinal.entries, 'TRANSFER_OUT')).toBe(-(sealedBalance + interestFen));
    expect(byType(sFinal.entries, 'REMITTANCE')).toBe(6 * 192_000);
    const indicators = ok(await call('GET', `/v1/supervision/indicators?branch=${branch}`, { token: await auditorToken() }));
    expect(fen(indicators.depositBalance)).toBe(fen(bFinal.account.balance) + fen(sFinal.account.balance));
    expect(indicators.loanBalance).toBe('0.00');
    expect(yuan(fen(indicators.depositBalance))).toBe(sFinal.account.balance);
  });
});
