// The loans domain's decisions for a partner center (跨省通办, issue 15), pure: the facts a partner
// sees of a loan, the payoff certificate both the member's route and a partner get, when a partner's
// full prepayment is refused (NO_ACTIVE_LOAN, AMOUNT_MISMATCH), and that the payoff amount of the
// day a partner is told is exactly what our full prepayment of that day pays.
import { describe, expect, it } from 'vitest';
import type { Loan } from '../../functions/loans/domain/loan.ts';
import { defer, markOverdue, newRows, payOff, payoffAmount, payoffCertificateNo, payRow, refreshLoan, type ScheduleRow } from '../../functions/loans/domain/installments.ts';
import { scheduleFor } from '../../functions/loans/domain/amortization.ts';
import { loanFactsView, loanView, payoffCertificateView } from '../../functions/loans/domain/views.ts';
import { partnerLoanRefusal, payoffAmountRefusal } from '../../functions/loans/domain/partner.ts';
import { derivedId } from '../../shared/ids.ts';

const rates = { annualRate: '0.026', multiplier: '1.5', dayBasis: 360 };
const thresholds = { consecutive: 3, cumulative: 6 };
const rows12 = (): ScheduleRow[] => newRows(scheduleFor('EQUAL_INSTALLMENT', { principalFen: 10_000_000, annualRate: '0.026', termMonths: 12, firstDueDate: '2030-02-10' }));

const loan = (over: Partial<Loan> = {}): Loan => ({
  loanId: 'L1', accountNo: '100000000009', branch: 'B', status: 'ACTIVE', principalFen: 10_000_000, outstandingPrincipalFen: 10_000_000, annualRate: '0.026', termMonths: 12,
  repaymentMethod: 'EQUAL_INSTALLMENT', housePriceFen: 0, firstHome: true, monthlyIncomeFen: 0, borrowerCategory: 'STANDARD', location: 'DISTRICT', quote: { maxAmountFen: 0, binding: 'productCap' },
  appliedOn: '2030-01-01', appliedBy: 'm', disbursedOn: '2030-01-10', dueDay: 10, offsetEnabled: false, deferrals: [], prepaidPrincipalFen: 0, overdueInstallments: 0, overdueAmountFen: 0, overduePrincipalFen: 0,
  penaltyOutstandingFen: 0, consecutiveOverdue: 0, cumulativeOverdue: 0, riskClass: 'NORMAL', overdueFinding: false, version: 0, createdAt: '', updatedAt: '', ...over,
});

/** Σ what payOff pays on `date`: the amount our full prepayment of that day takes. */
const paidByPayoff = (rows: readonly ScheduleRow[], date: string, l: Loan) => {
  const { paid } = payOff(rows, date, rates, l);
  return paid.principalFen + paid.interestFen + paid.penaltyFen;
};

describe('the payoff amount of the day a partner is told', () => {
  const l = loan();
  const cases: [string, () => ScheduleRow[], string][] = [
    ['before the first installment is due (interest from the disbursement)', rows12, '2030-01-25'],
    ['on a due date, nothing paid', rows12, '2030-02-10'],
    ['with installment 1 paid, mid-month', () => { const r = rows12(); r[0] = payRow(r[0], r[0].paymentFen, '2030-02-10').row; return r; }, '2030-02-27'],
    ['with two installments overdue and penalty interest', () => markOverdue(rows12(), '2030-03-20', rates), '2030-04-02'],
    ['with a deferred installment moved to the end', () => defer(rows12(), '2030-02', '2030-02', 10).rows, '2030-02-20'],
  ];
  for (const [name, rows, date] of cases) {
    it(`equals what our full prepayment pays that day: ${name}`, () => {
      const amount = payoffAmount(rows(), date, rates, l);
      expect(amount.totalFen).toBeGreaterThan(0);
      expect(amount.totalFen).toBe(paidByPayoff(rows(), date, l));
    });
  }

  it('is more than the outstanding principal by the interest to the day and the penalty (overdue case)', () => {
    const rows = markOverdue(rows12(), '2030-03-20', rates);
    const amount = payoffAmount(rows, '2030-04-02', rates, l);
    const penalty = markOverdue(rows, '2030-04-02', rates).reduce((s, r) => s + r.penaltyFen, 0);
    expect(penalty).toBeGreaterThan(0);
    // installments 1 and 2 in full with their penalty, the principal of 3–12 with 23 days of interest since March 10
    const future = rows.slice(2).reduce((s, r) => s + r.principalFen, 0);
    expect(amount.totalFen).toBe(rows[0].paymentFen + rows[1].paymentFen + penalty + future + Math.round((future * 0.026 * 23) / 360));
  });
});

describe('loan facts (BALANCE_INQUIRY, DEPOSIT_CERTIFICATE)', () => {
  it('are the numbers of loanView plus the payoff amount given', () => {
    const rows = markOverdue(rows12(), '2030-03-20', rates);
    const l = refreshLoan(loan(), rows, '2030-03-20', thresholds);
    expect(l.overdueInstallments).toBe(2);
    const v = loanView(l);
    expect(loanFactsView(l, 9_876_543)).toEqual({ loanId: 'L1', status: 'ACTIVE', principal: v.principal, outstandingPrincipal: v.outstandingPrincipal, payoffAmountToday: '98765.43', overdueInstallments: v.overdue.installments });
    expect(loanFactsView(l, 9_876_543)).toEqual({ loanId: 'L1', status: 'ACTIVE', principal: '100000.00', outstandingPrincipal: '100000.00', payoffAmountToday: '98765.43', overdueInstallments: 2 });
  });

  it('of a CLOSED loan: nothing outstanding, nothing to pay', () => {
    const out = payOff(rows12(), '2030-01-25', rates, loan());
    const closed = refreshLoan(loan(), out.rows, '2030-01-25', thresholds);
    expect(closed.status).toBe('CLOSED');
    expect(loanFactsView(closed, 0)).toEqual({ loanId: 'L1', status: 'CLOSED', principal: '100000.00', outstandingPrincipal: '0.00', payoffAmountToday: '0.00', overdueInstallments: 0 });
  });
});

describe('the payoff certificate', () => {
  it('closing the loan numbers it from the loan: the same number on every read, another loan another number', () => {
    const closed = refreshLoan(loan(), payOff(rows12(), '2030-01-25', rates, loan()).rows, '2030-01-25', thresholds);
    expect(closed.certificateNo).toBe(payoffCertificateNo('L1'));
    expect(payoffCertificateNo('L1')).toBe(derivedId('JQ', 'L1'));
    expect(payoffCertificateNo('L2')).not.toBe(payoffCertificateNo('L1'));
    expect(payoffCertificateView(closed)).toEqual({ certificateNo: payoffCertificateNo('L1'), loanId: 'L1', principal: '100000.00', disbursedOn: '2030-01-10', closedOn: '2030-01-25' });
  });

  it('a CLOSED loan stored without a number is given the same derived one', () => {
    const closed = loan({ status: 'CLOSED', paidOffOn: '2030-01-25', outstandingPrincipalFen: 0 });
    expect(payoffCertificateView(closed).certificateNo).toBe(payoffCertificateNo('L1'));
  });
});

describe("a partner's full prepayment: refusals", () => {
  const input = { accountNo: '100000000009', loanId: 'L1' };

  it('NO_ACTIVE_LOAN: no such loan, another member’s loan, or a loan not ACTIVE', () => {
    expect(partnerLoanRefusal(loan(), input)).toBeUndefined();
    for (const l of [undefined, loan({ accountNo: '200000000007' }), loan({ status: 'CLOSED' }), loan({ status: 'APPLIED' }), loan({ status: 'APPROVED' }), loan({ status: 'REJECTED' })]) {
      const r = partnerLoanRefusal(l, input);
      expect(r?.code).toBe('NO_ACTIVE_LOAN');
      expect(r?.message).toContain('L1');
    }
  });

  it('AMOUNT_MISMATCH unless exactly the payoff amount, naming it (one fen more or less too)', () => {
    expect(payoffAmountRefusal(12_345, 12_345, '2030-01-25')).toBeUndefined();
    for (const amount of [12_344, 12_346, 1, 100_000_000]) {
      const r = payoffAmountRefusal(amount, 12_345, '2030-01-25');
      expect(r?.code).toBe('AMOUNT_MISMATCH');
      expect(r?.message).toContain('123.45');
      expect(r?.message).toContain('结清金额为123.45元');
    }
  });
});
