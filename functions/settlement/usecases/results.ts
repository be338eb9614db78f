// Payment results from a bank (api.md POST /v1/bank/payment-results), recorded once:
//   - the first SETTLED or FAILED of an order of this bank: recorded with its effect (a suspense
//     refund REFUNDED, or OPEN again) and the archive, in one commit → 200 { paymentId, status }
//   - the same result again (same status and bankRef): 200, the same answer, nothing changes
//   - a result contradicting the recorded one: 409 INVALID_STATE, nothing changes
//   - an unknown paymentId, or an order of another bank: 404 NOT_FOUND (another bank's order is as
//     if it did not exist), nothing changes
import { commit } from '../../../shared/tx.ts';
import { nowIso } from '../../../shared/clock.ts';
import { fail } from '../../../shared/errors.ts';
import { archiveItem } from '../../../shared/archive.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { getPayment, listPayments, putPaymentItem } from '../store.ts';
import { resultDecision } from '../domain/rules.ts';
import { paymentView, type PaymentOrder, type PaymentStatus } from '../domain/types.ts';
import type { PaymentResultBody } from '../schemas.ts';
import type { Caller } from '../../../shared/auth.ts';
import type { VerifiedBankCall } from './banks.ts';
import { refundResultItems, requireCityLevel } from './suspense.ts';
import { planDisbursementPaymentResult, planTransferPaymentResult, planWithdrawalPaymentResult } from './contracts.ts';

/**
 * What a result adds besides the order, by what the order pays (`order` carries the result). The
 * owning domain's plan throws a refusal (its record unknown or not awaiting this result): nothing is
 * recorded and the bank gets that answer.
 */
async function effectItems(order: PaymentOrder, at: string): Promise<TxItem[]> {
  const result = { paymentId: order.paymentId, status: order.status as 'SETTLED' | 'FAILED', bankRef: order.bankRef ?? '', ...(order.failure ? { failure: order.failure } : {}), at, bankCode: order.bankCode };
  switch (order.source.kind) {
    case 'SUSPENSE_REFUND':
      return refundResultItems(order, at);
    case 'WITHDRAWAL':
      return planWithdrawalPaymentResult({ withdrawalId: order.source.id, ...result });
    case 'LOAN_DISBURSEMENT': {
      const { bankCode, ...rest } = result;
      return planDisbursementPaymentResult({ loanId: order.source.id, ...rest, ...(order.settledAt ? { settledAt: order.settledAt } : {}), actor: { sub: `bank:${bankCode}`, role: 'bank' } });
    }
    case 'TRANSFER_OUT': {
      const { bankCode, ...rest } = result;
      return planTransferPaymentResult({ trackingId: order.source.id, ...rest, ...(order.settledAt ? { settledAt: order.settledAt } : {}), actor: { sub: `bank:${bankCode}`, role: 'bank' } });
    }
  }
}

export async function receivePaymentResult(call: VerifiedBankCall, r: PaymentResultBody) {
  const out = await commit({
    plan: async () => {
      const nonce = await call.nonce();
      const p = await getPayment(r.paymentId);
      if (!p || p.bankCode !== call.bank.bankCode) fail('NOT_FOUND', 'No such payment order / 付款指令不存在');
      const order = p!;
      const decision = resultDecision(order, r.status, r.bankRef);
      if (decision === 'CONFLICT') fail('INVALID_STATE', `The payment already has its result ${order.status} / 该付款已有结果`);
      if (decision === 'SAME') return { items: [nonce], body: { paymentId: order.paymentId, status: order.status } };
      const at = nowIso();
      const next: PaymentOrder = {
        ...order,
        status: r.status,
        bankRef: r.bankRef,
        resultAt: at,
        ...(r.settledAt ? { settledAt: r.settledAt } : r.status === 'SETTLED' ? { settledAt: at } : {}),
        ...(r.status === 'FAILED' ? { failure: r.failure ?? { code: 'UNKNOWN', message: 'The bank gave no reason' } } : {}),
        dueAt: undefined,
      };
      const items: TxItem[] = [
        nonce,
        putPaymentItem(next, order),
        ...(await effectItems(next, at)),
        archiveItem({ subjectType: 'PAYMENT', subjectId: order.paymentId, action: 'PAYMENT_RESULT', actor: { sub: `bank:${order.bankCode}`, role: 'bank' }, submitted: r, decision: { status: r.status }, owner: order.branch ? { branch: order.branch } : {}, at, dedupeKey: 'RESULT' }),
      ];
      return { items, body: { paymentId: order.paymentId, status: next.status } };
    },
  });
  return out.body;
}

export async function paymentsByStatus(caller: Caller, q: { status: PaymentStatus; limit: number; cursor?: string }) {
  requireCityLevel(caller);
  const page = await listPayments(q.status, q.limit, q.cursor);
  return { items: page.items.map(paymentView), nextCursor: page.nextCursor };
}
