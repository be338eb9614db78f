// Audit rules over facts of the other domains, built through their APIs: each rule finds exactly one
// finding for its subject, and still one after a second run.
import { describe, it, expect } from 'vitest';
import { SELLER } from '../support/seller.ts';
import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { call, auditorToken, memberToken, staffToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { addMonths, businessDate, periodOf } from '../../shared/clock.ts';
import { ddb } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { runDailyForLoan } from '../../functions/loans/usecases/batch.ts';
import { registerUnit } from './deposits-fixtures.ts';
import { depositor, openFindingsOf as findings, runAudit } from './supervision-fixtures.ts';

const purchase = (cert: string) => ({ contractNo: `HT-${randomUUID().slice(0, 6)}`, propertyCertificateNo: cert, price: '900000.00', purchaseDate: businessDate() });

describe('audit rules over the domains’ facts', () => {
  it('property reuse, rent with purchase, loan overdue, deposits stopped after a loan, loan reconciliation, unit arrears', async () => {
    const auditor = await auditorToken();
    const branch = `SR${randomUUID().slice(0, 6)}`;

    // PROPERTY_REUSE: one property claimed by two accounts
    const cert = `粤(2026)深圳市不动产权第${randomUUID().slice(0, 7)}号`;
    const a = await openFundedAccount({ branch, balanceFen: 100_000 });
    const b = await openFundedAccount({ branch, balanceFen: 100_000 });
    const wa = await call('POST', '/v1/withdrawals', { token: await memberToken(a.accountNo), body: { accountNo: a.accountNo, reason: 'PURCHASE', amount: '500.00', payeeBankAccount: '6222020000000001', evidence: purchase(cert) } });
    expect(wa.status, JSON.stringify(wa.body)).toBe(201);
    const wb = await call('POST', '/v1/withdrawals', { token: await memberToken(b.accountNo), body: { accountNo: b.accountNo, reason: 'PURCHASE', amount: '500.00', payeeBankAccount: '6222020000000002', evidence: purchase(cert) } });
    expect(wb.body.status).toBe('PENDING_REVIEW');

    // RENT_WITH_LOAN_OR_PURCHASE: a rent withdrawal in the year of a purchase withdrawal (account a)
    const rent = await call('POST', '/v1/withdrawals', { token: await memberToken(a.accountNo), body: { accountNo: a.accountNo, reason: 'RENT', amount: '100.00', payeeBankAccount: '6222020000000001', evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-1' } } });
    expect(rent.body.status).toBe('PAID');

    // LOAN_OVERDUE: a loan never repaid, marked by the daily run five months on
    const borrower = await depositor(branch);
    const applied = await call('POST', '/v1/loans', {
      token: await memberToken(borrower.accountNo),
      body: { accountNo: borrower.accountNo, housePrice: '1000000', firstHome: true, termMonths: 120, monthlyIncome: '20000', borrowerCategory: 'STANDARD', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT', amount: '300000' },
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(201);
    const loanId = applied.body.loanId as string;
    expect((await call('POST', `/v1/loans/${loanId}/approve`, { token: await staffToken(branch) })).status).toBe(200);
    const disbursedOn = businessDate();
    const disb = await call("POST", `/v1/loans/${loanId}/disburse`, { token: await staffToken(branch), body: { payee: SELLER, disbursedOn } });
    expect(disb.status, JSON.stringify(disb.body)).toBe(200);
    await runDailyForLoan(loanId, `${addMonths(periodOf(businessDate()), 5)}-28`);
    const loan = await call('GET', `/v1/loans/${loanId}`, { token: await staffToken(branch) });
    expect(loan.body.overdue.installments).toBeGreaterThanOrEqual(3);

    // DEPOSITS_STOPPED_AFTER_LOAN: the borrower's contributions stop (history written directly: months
    // cannot pass in a test) — the last paid period is two months back, none since the loan
    await ddb.send(new UpdateCommand({ TableName: tableName('ledger'), Key: { pk: `ACC#${borrower.accountNo}`, sk: 'ACCOUNT' }, UpdateExpression: 'SET paidPeriods = :p', ExpressionAttributeValues: { ':p': [`${addMonths(periodOf(disbursedOn), -8)}:${addMonths(periodOf(disbursedOn), -2)}`] } }));

    // RECONCILIATION_LOAN: a second borrower whose outstanding principal no longer matches the schedule
    const other = await depositor(branch);
    const applied2 = await call('POST', '/v1/loans', {
      token: await memberToken(other.accountNo),
      body: { accountNo: other.accountNo, housePrice: '1000000', firstHome: true, termMonths: 120, monthlyIncome: '20000', borrowerCategory: 'STANDARD', location: 'DISTRICT', repaymentMethod: 'EQUAL_PRINCIPAL', amount: '200000' },
    });
    const loan2 = applied2.body.loanId as string;
    await call('POST', `/v1/loans/${loan2}/approve`, { token: await staffToken(branch) });
    expect((await call('POST', `/v1/loans/${loan2}/disburse`, { token: await staffToken(branch), body: { payee: SELLER, disbursedOn: businessDate() } })).status).toBe(200);
    await ddb.send(new UpdateCommand({ TableName: tableName('loans'), Key: { pk: `LOAN#${loan2}`, sk: 'LOAN' }, UpdateExpression: 'SET outstandingPrincipalFen = :o', ExpressionAttributeValues: { ':o': 19_999_000 } }));

    // UNIT_NO_REMITTANCE: a unit owing since five months ago that never remitted; another whose
    // missing months are covered by an approved deferral (缓缴)
    const start = addMonths(periodOf(businessDate()), -5);
    const arrears = await registerUnit(branch, { startPeriod: start });
    const deferred = await registerUnit(branch, { startPeriod: start });
    const deferral = await call('POST', `/v1/units/${deferred.unitId}/deferrals`, { token: await staffToken(branch), body: { fromPeriod: start, toPeriod: addMonths(periodOf(businessDate()), 2), reason: '经营困难' } });
    expect(deferral.status, JSON.stringify(deferral.body)).toBe(201);

    for (let run = 1; run <= 2; run++) {
      await runAudit(auditor);
      const reuse = await findings(auditor, 'PROPERTY_REUSE', cert.normalize('NFKC').replace(/\s+/gu, '').toUpperCase());
      expect(reuse, `run ${run}`).toHaveLength(1);
      expect(reuse[0].evidence.claimants.sort()).toEqual([a.accountNo, b.accountNo].sort());
      expect(await findings(auditor, 'RENT_WITH_LOAN_OR_PURCHASE', a.accountNo)).toHaveLength(1);
      expect(await findings(auditor, 'RENT_WITH_LOAN_OR_PURCHASE', b.accountNo)).toHaveLength(0);
      expect(await findings(auditor, 'LOAN_OVERDUE', loanId)).toHaveLength(1);
      expect(await findings(auditor, 'DEPOSITS_STOPPED_AFTER_LOAN', borrower.accountNo)).toHaveLength(1);
      expect(await findings(auditor, 'DEPOSITS_STOPPED_AFTER_LOAN', other.accountNo)).toHaveLength(0);
      const recon = await findings(auditor, 'RECONCILIATION_LOAN', loan2);
      expect(recon).toHaveLength(1);
      expect(recon[0].evidence).toMatchObject({ outstandingPrincipalFen: 19_999_000, schedulePrincipalFen: 20_000_000 });
      expect(await findings(auditor, 'RECONCILIATION_LOAN', loanId)).toHaveLength(0);
      const unitFinding = await findings(auditor, 'UNIT_NO_REMITTANCE', arrears.unitId);
      expect(unitFinding).toHaveLength(1);
      expect(unitFinding[0].evidence.missingPeriods).toHaveLength(5);
      expect(await findings(auditor, 'UNIT_NO_REMITTANCE', deferred.unitId)).toHaveLength(0);
    }
  }, 300_000);
});
