// The monthly offset agreement (月对冲) and hardship deferral (缓期还贷).
import { commit, type IdempotencyContext } from '../../../shared/tx.ts';
import { DomainError } from '../../../shared/errors.ts';
import { forbidden, type Caller } from '../../../shared/auth.ts';
import { businessDate, nowIso } from '../../../shared/clock.ts';
import { assertStatus, type Loan } from '../domain/loan.ts';
import { thresholds, defer, refreshLoan } from '../domain/installments.ts';
import { getSchedule, loanWriteItems } from '../store.ts';
import { staffLoan, visibleLoan } from './access.ts';
import { flagItems, partyFlags } from './parties.ts';
import { loanArchive } from './archive.ts';

export async function setOffset(caller: Caller, loanId: string, enabled: boolean) {
  return commit({
    plan: async () => {
      const loan = await visibleLoan(caller, loanId);
      if (caller.accountNo !== loan.accountNo) forbidden('Only the borrower signs or cancels the monthly offset / 仅借款人可签约或解约月对冲');
      assertStatus(loan, 'APPLIED', 'APPROVED', 'ACTIVE');
      const after: Loan = { ...loan, offsetEnabled: enabled, offsetChangedAt: nowIso() };
      const body = { loanId, offset: { enabled } };
      if (loan.offsetEnabled === enabled) return { items: [], body };
      return { items: [...loanWriteItems(loan, after), loanArchive(loan, enabled ? 'OFFSET_SIGNED' : 'OFFSET_CANCELLED', caller, { enabled }, { status: enabled ? 'SIGNED' : 'CANCELLED' })], body };
    },
  });
}

export async function deferInstallments(caller: Caller, loanId: string, input: { fromPeriod: string; toPeriod: string; reason: string }, idempotency: IdempotencyContext | undefined) {
  return commit({
    idempotency,
    plan: async () => {
      const loan = await staffLoan(caller, loanId);
      assertStatus(loan, 'ACTIVE');
      const today = businessDate();
      const [rows, flags] = await Promise.all([getSchedule(loanId), partyFlags(loan)]);
      const out = defer(rows, input.fromPeriod, input.toPeriod, loan.dueDay);
      if (!out.deferred.length) throw new DomainError('POLICY_VIOLATION', `No unpaid installment falls due in ${input.fromPeriod}–${input.toPeriod} / 该期间无可缓期的期次`);
      const deferral = { ...input, by: caller.sub, at: nowIso(), installments: out.deferred };
      const after = refreshLoan({ ...loan, deferrals: [...loan.deferrals, deferral] }, out.rows, today, thresholds(today));
      const moved = out.rows.filter((r) => out.deferred.includes(r.no)).map((r) => ({ no: r.no, from: r.deferredFrom, to: r.dueDate }));
      return {
        items: [...loanWriteItems(loan, after, rows, out.rows), ...flagItems(after, flags), loanArchive(loan, 'DEFERRED', caller, input, { status: 'DEFERRED', installments: moved, maturityDate: after.maturityDate })],
        body: { loanId, fromPeriod: input.fromPeriod, toPeriod: input.toPeriod, reason: input.reason, installments: out.deferred, maturityDate: after.maturityDate ?? null },
      };
    },
  });
}
