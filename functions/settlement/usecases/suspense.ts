// Suspense items (待查款项): arrivals nothing matched. They belong to no branch, so city-level staff
// work them (a branch clerk is 403) and auditors read them. Assigning settles a remittance with the
// item's money (its amount must be the remittance's: else 422 POLICY_VIOLATION); a refund orders a
// payment back to the payer (REFUNDING), REFUNDED on the bank's SETTLED, OPEN again on FAILED.
import { commit, type IdempotencyContext } from '../../../shared/tx.ts';
import { now } from '../../../shared/clock.ts';
import { sendAfterCommit } from '../../../shared/outbox.ts';
import { fail } from '../../../shared/errors.ts';
import { archiveItem } from '../../../shared/archive.ts';
import { derivedId } from '../../../shared/ids.ts';
import type { Caller } from '../../../shared/auth.ts';
import type { Logger } from '../../../shared/log.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { getSuspense, listSuspense, putSuspenseItem } from '../store.ts';
import { suspenseView, type PaymentOrder, type SuspenseItem } from '../domain/types.ts';
import type { AssignBody } from '../schemas.ts';
import { planRemittanceSettlementByBank } from './contracts.ts';
import { paymentOrderItems } from './orders.ts';

export function requireCityLevel(caller: Caller) {
  if (caller.role === 'staff' && caller.branch !== '*') fail('FORBIDDEN', 'Bank settlement is handled at city level / 资金结算由市级中心办理');
}

export async function openSuspense(caller: Caller, q: { limit: number; cursor?: string }) {
  requireCityLevel(caller);
  const page = await listSuspense('OPEN', q.limit, q.cursor);
  return { items: page.items.map(suspenseView), nextCursor: page.nextCursor };
}

const archiveOf = (s: SuspenseItem, caller: Caller, action: string, submitted: unknown, decision: unknown, at: string, owner = {}) =>
  archiveItem({ subjectType: 'SUSPENSE', subjectId: s.itemId, action, actor: { sub: caller.sub, role: caller.role }, submitted, decision, owner, at });

export async function assignSuspense(caller: Caller, itemId: string, body: AssignBody, idempotency: IdempotencyContext | undefined, log: Logger) {
  requireCityLevel(caller);
  let after: (() => Promise<void>) | undefined;
  const out = await commit({
    idempotency,
    plan: async () => {
      after = undefined;
      const s = await getSuspense(itemId);
      if (!s) fail('NOT_FOUND', 'No such suspense item / 待查款项不存在');
      if (s!.status !== 'OPEN') fail('INVALID_STATE', `The item is ${s!.status} / 该款项已处理`);
      const item = s!;
      const at = now();
      const atIso = at.toISOString();
      if ('remittanceId' in body) {
        const plan = await planRemittanceSettlementByBank({ remittanceId: body.remittanceId, amountFen: item.amountFen, bankRef: item.notificationId, at, actor: { sub: caller.sub, role: caller.role } });
        if (!plan.ok) {
          if (plan.reason === 'NOT_FOUND') fail('NOT_FOUND', 'No such remittance / 汇缴单不存在');
          if (plan.reason === 'AMOUNT_MISMATCH') fail('POLICY_VIOLATION', 'The amount of the arrival is not the remittance\'s / 到账金额与汇缴金额不符');
          fail('INVALID_STATE', 'The remittance is not awaiting funds / 汇缴单不在待到账状态');
        }
        const ok = plan as Extract<typeof plan, { ok: true }>;
        const next: SuspenseItem = { ...item, status: 'ASSIGNED', assignedTo: { kind: 'REMITTANCE', id: ok.remittance.remittanceId }, updatedAt: atIso };
        after = ok.afterCommit;
        const items: TxItem[] = [putSuspenseItem(next, 'OPEN'), ...ok.items, archiveOf(item, caller, 'ASSIGN', body, { status: 'ASSIGNED', remittanceId: ok.remittance.remittanceId }, atIso, { branch: ok.remittance.branch, unitId: ok.remittance.unitId })];
        return { items, body: suspenseView(next) };
      }
      const attempt = (item.refundAttempts ?? 0) + 1;
      const paymentId = derivedId('P', 'SUSPENSE_REFUND', item.itemId, String(attempt));
      const order = await paymentOrderItems({ paymentId, preferBank: item.bankCode, payeeName: item.payerName, payeeAccount: item.payerAccount, amountFen: item.amountFen, purpose: 'SUSPENSE_REFUND', reference: item.notificationId, source: { kind: 'SUSPENSE_REFUND', id: item.itemId }, at });
      const next: SuspenseItem = { ...item, status: 'REFUNDING', paymentId, refundAttempts: attempt, note: body.note, updatedAt: atIso };
      after = order.afterCommit;
      return { items: [putSuspenseItem(next, 'OPEN'), ...order.items, archiveOf(item, caller, 'REFUND', body, { status: 'REFUNDING', paymentId }, atIso)], body: suspenseView(next) };
    },
  });
  if (!out.replayed) await sendAfterCommit('suspense assignment', after, log, { itemId });
  return out;
}

/** The items a refund's bank result adds: REFUNDED on SETTLED, OPEN again on FAILED (with the bank's reason). */
export async function refundResultItems(order: PaymentOrder, at: string): Promise<TxItem[]> {
  const s = await getSuspense(order.source.id);
  if (!s || s.status !== 'REFUNDING' || s.paymentId !== order.paymentId) return [];
  const next: SuspenseItem =
    order.status === 'SETTLED'
      ? { ...s, status: 'REFUNDED', updatedAt: at }
      : { ...s, status: 'OPEN', paymentId: undefined, ...(order.failure ? { lastRefundFailure: order.failure } : {}), updatedAt: at };
  return [
    putSuspenseItem(next, 'REFUNDING'),
    archiveItem({ subjectType: 'SUSPENSE', subjectId: s.itemId, action: 'REFUND_RESULT', actor: { sub: `bank:${order.bankCode}`, role: 'bank' }, submitted: { paymentId: order.paymentId, status: order.status, bankRef: order.bankRef }, decision: { status: next.status }, owner: {}, at, dedupeKey: `RESULT#${order.paymentId}` }),
  ];
}
