// Transfers in (转入): a member who moved here. Our staff ask the partner that holds the money with a
// signed TRANSFER_REQUEST (outbox); the partner's callback with the amount that left them is credited
// to the member's account here exactly once (entry key + the transfer's status, one transaction).
// City-level staff may withdraw it until the partner accepts (domain.md §5, api.md v1.1): a signed
// TRANSFER_CANCEL (outbox), CANCELLED when the partner confirms; a cancelled transfer credits nothing.
import { commit, type IdempotencyContext } from '../../../shared/tx.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { newId } from '../../../shared/ids.ts';
import { businessDate, now } from '../../../shared/clock.ts';
import { archiveItem } from '../../../shared/archive.ts';
import { centerCode } from '../../../shared/config.ts';
import { fail } from '../../../shared/errors.ts';
import { fenToYuan, yuanToFen } from '../../../shared/money.ts';
import { notFound, staffCovers, type Caller } from '../../../shared/auth.ts';
import { getAccount, mustGetAccount, ledgerWrite } from '../../../shared/ledger/ledger.ts';
import type { Logger } from '../../../shared/log.ts';
import { getOutbox, getPartner, getTransfer, putOutboxItem, putTransferItem } from '../store.ts';
import { cancelRequestIdOf, isFinalTransfer, transferCancelOutbox, transferIdOfRequestId, transferOutbox, type OutboxMessage, type Transfer } from '../domain/types.ts';
import { transferView } from '../domain/views.ts';
import { partnerActor, transferArchive } from '../domain/archive.ts';
import { isRecordId, type CallbackBody, type TransferBody } from '../schemas.ts';
import type { VerifiedCall } from './partners.ts';
import { sendAfterCommit } from '../../../shared/outbox.ts';
import { dispatchOutbox } from './relay.ts';

/**
 * 202 { transferId, status: QUEUED }. The receiving account must be ours, of this person (ID number and
 * name), within the clerk's branch (404 otherwise) and not closed (409); `fromCenter` must be a
 * registered partner with an apiBaseUrl (422).
 */
export async function requestTransfer(caller: Caller, body: TransferBody, idempotency: IdempotencyContext | undefined, log: Logger) {
  let outboxId: string | undefined;
  const out = await commit({
    idempotency,
    plan: async () => {
      const account = await getAccount(body.toAccountNo);
      if (!account || !staffCovers(caller, account.branch)) return notFound('Account');
      if (account.idNumber !== body.idNumber || account.name !== body.name) fail('POLICY_VIOLATION', 'The account does not belong to this person / 账户与身份信息不符');
      if (account.status === 'CLOSED') fail('INVALID_STATE', 'The receiving account is closed / 转入账户已销户');
      const partner = body.fromCenter === centerCode() ? undefined : await getPartner(body.fromCenter);
      if (!partner?.apiBaseUrl) fail('POLICY_VIOLATION', `Center ${body.fromCenter} is not a partner we can send requests to / 转出地中心未登记`);
      const at = now();
      const transfer: Transfer = {
        transferId: newId('X'),
        idNumber: body.idNumber,
        name: body.name,
        fromCenter: body.fromCenter,
        toAccountNo: account.accountNo,
        branch: account.branch,
        status: 'QUEUED',
        requestedBy: caller.sub,
        createdAt: at.toISOString(),
        updatedAt: at.toISOString(),
      };
      const outbox = transferOutbox(transfer, at);
      outboxId = outbox.outboxId;
      const archived = archiveItem({ ...transferArchive(transfer, 'CREATED'), actor: { sub: caller.sub, role: caller.role }, submitted: body, decision: { status: 'QUEUED' }, at: transfer.createdAt });
      return { items: [putTransferItem(transfer), putOutboxItem(outbox), archived], body: { transferId: transfer.transferId, status: transfer.status } };
    },
  });
  const id = outboxId;
  if (!out.replayed && id) await sendAfterCommit(`transfer request ${id}`, () => dispatchOutbox(id), log);
  return out;
}

export async function readTransfer(caller: Caller, transferId: string) {
  const t = isRecordId(transferId) ? await getTransfer(transferId) : undefined; // never a key DynamoDB refuses
  if (!t || (caller.role === 'staff' && !staffCovers(caller, t.branch))) return notFound('Transfer request');
  return transferView(t);
}

/**
 * Withdraws a transfer request we sent while the partner has not accepted it → 202 { transferId,
 * status: CANCELLING }. The staff who may send it may withdraw it: the receiving account's branch
 * and city level; another branch answers as if it did not exist (404, as reading it). QUEUED or SENT: the transfer becomes CANCELLING and a signed TRANSFER_CANCEL
 * goes out (outbox); a transfer request not delivered yet is withdrawn from the outbox (never sent
 * from then on; the cancel still goes, in case an attempt reached the partner). CANCELLING or
 * CANCELLED: 202 with that status, nothing new. COMPLETED (the money arrived) or REJECTED: 409
 * INVALID_STATE.
 */
export async function cancelTransfer(caller: Caller, transferId: string, idempotency: IdempotencyContext | undefined, log: Logger) {
  if (caller.role !== 'staff') fail('FORBIDDEN', 'Inter-provincial transfers are withdrawn by staff / 跨省转移申请由经办人员撤回');
  let outboxId: string | undefined;
  const out = await commit({
    idempotency,
    status: 202,
    plan: async () => {
      outboxId = undefined;
      const t = isRecordId(transferId) ? await getTransfer(transferId) : undefined;
      if (!t || !staffCovers(caller, t.branch)) return notFound('Transfer request');
      if (t.status === 'COMPLETED') fail('INVALID_STATE', 'The transfer was completed: it can no longer be withdrawn / 转移已办结，不能撤回');
      if (t.status === 'REJECTED') fail('INVALID_STATE', 'The transfer was refused: there is nothing to withdraw / 转移申请已被驳回');
      if (t.status === 'CANCELLING' || t.status === 'CANCELLED') return { items: [], body: { transferId, status: t.status } };
      const at = now();
      const iso = at.toISOString();
      const cancelling: Transfer = { ...t, status: 'CANCELLING', statusBeforeCancel: t.status as 'QUEUED' | 'SENT', cancelRequestedBy: caller.sub, cancelRequestedAt: iso, updatedAt: iso };
      const request: OutboxMessage | undefined = await getOutbox(`TR-${t.transferId}`);
      const withdrawn = request?.status === 'PENDING' ? [putOutboxItem({ ...request, status: 'WITHDRAWN', dueAt: undefined }, 'PENDING')] : [];
      const cancel = transferCancelOutbox(cancelling, at);
      outboxId = cancel.outboxId;
      const archived = archiveItem({ ...transferArchive(cancelling, 'CANCEL_REQUESTED'), actor: { sub: caller.sub, role: caller.role }, submitted: { transferId }, decision: { status: 'CANCELLING', ...(withdrawn.length ? { requestWithdrawn: true } : {}) }, at: iso });
      return { items: [putTransferItem(cancelling, t.status), ...withdrawn, putOutboxItem(cancel), archived], body: { transferId, status: cancelling.status } };
    },
  });
  const id = outboxId;
  if (!out.replayed && id) await sendAfterCommit(`transfer cancel ${id}`, () => dispatchOutbox(id), log);
  return out;
}

/**
 * The partner's outcome of our TRANSFER_REQUEST or of our TRANSFER_CANCEL.
 *  - TRANSFER_REQUEST COMPLETED credits `result.amount` (TRANSFER_IN, entry key TRANSFER-IN-<transferId>)
 *    with the transfer's status change — also while CANCELLING (the partner accepted before our cancel
 *    reached it: the money left them), never once CANCELLED (409, nothing credited);
 *  - TRANSFER_REQUEST REJECTED with code CANCELLED, or TRANSFER_CANCEL COMPLETED: CANCELLED;
 *  - TRANSFER_REQUEST REJECTED otherwise: REJECTED;
 *  - TRANSFER_CANCEL REJECTED (ALREADY_ACCEPTED …): a CANCELLING transfer goes back to what it was
 *    (its COMPLETED callback credits as usual), the refusal is kept;
 *  - a repeated callback answers 200 and changes nothing; one that contradicts a final status is 409.
 */
export async function receiveCallback(call: VerifiedCall, body: CallbackBody, log: Logger) {
  const out = await commit({
    plan: async () => {
      const nonce = await call.nonce();
      const transferId = transferIdOfRequestId(body.requestId);
      const t = await getTransfer(transferId);
      const names = body.type === 'TRANSFER_REQUEST' ? body.requestId === transferId : body.type === 'TRANSFER_CANCEL' && body.requestId === cancelRequestIdOf(transferId);
      if (!t || t.fromCenter !== call.partner.centerCode || !names) return notFound('Transfer request');
      const instant = now();
      const at = instant.toISOString();
      const actor = partnerActor(call.partner.centerCode);
      const unchanged = { items: [nonce], body: transferView(t) };
      const become = (next: Transfer, action: string, decision: Record<string, unknown>, extra: TxItem[] = []) => ({
        items: [nonce, ...extra, putTransferItem(next, t.status), archiveItem({ ...transferArchive(next, action), actor, submitted: body, decision, at })],
        body: transferView(next),
      });
      const cancelled = (): Transfer => ({ ...t, status: 'CANCELLED', statusBeforeCancel: undefined, updatedAt: at, completedAt: at });

      if (body.type === 'TRANSFER_CANCEL') {
        if (body.status === 'COMPLETED') {
          if (t.status === 'CANCELLED' || t.status === 'REJECTED') return unchanged; // nothing moved either way
          if (t.status === 'COMPLETED') fail('INVALID_STATE', 'The transfer is already COMPLETED / 转移已办结');
          return become(cancelled(), 'CANCELLED', { status: 'CANCELLED' });
        }
        if (t.status === 'CANCELLED') fail('INVALID_STATE', 'The transfer is already CANCELLED / 转移申请已撤回');
        if (t.cancelRejection) return unchanged;
        const back: Transfer = { ...t, status: t.status === 'CANCELLING' ? (t.statusBeforeCancel ?? 'SENT') : t.status, statusBeforeCancel: undefined, cancelRejection: body.rejection, updatedAt: at };
        return become(back, 'CANCEL_REFUSED', { status: back.status, code: body.rejection?.code, note: body.rejection?.message });
      }

      if (t.status === 'CANCELLED') {
        if (body.status === 'COMPLETED') fail('INVALID_STATE', 'The transfer was withdrawn: nothing is credited / 转移申请已撤回，不予入账');
        return unchanged;
      }
      if (isFinalTransfer(t.status)) {
        if (t.status !== body.status) fail('INVALID_STATE', `The transfer is already ${t.status} / 转移已办结`);
        return unchanged;
      }
      const base = { ...t, theirTrackingId: body.trackingId, statusBeforeCancel: undefined, updatedAt: at, completedAt: at };
      if (body.status === 'REJECTED') {
        if (body.rejection?.code === 'CANCELLED') return become({ ...cancelled(), theirTrackingId: body.trackingId }, 'CANCELLED', { status: 'CANCELLED', code: 'CANCELLED' });
        const done: Transfer = { ...base, status: 'REJECTED', rejection: body.rejection };
        return become(done, 'REJECTED', { status: 'REJECTED', code: body.rejection?.code, note: body.rejection?.message });
      }
      const amountFen = yuanToFen(String(body.result?.amount));
      const account = await mustGetAccount(t.toAccountNo);
      const ledger = amountFen > 0 ? ledgerWrite([{ account, postings: [{ amountFen, type: 'TRANSFER_IN', ref: t.transferId, valueDate: businessDate(instant), entryKey: `TRANSFER-IN-${t.transferId}`, memo: `from ${t.fromCenter}` }] }]) : undefined;
      const done: Transfer = { ...base, status: 'COMPLETED', amountFen };
      return become(done, 'COMPLETED', { status: 'COMPLETED', amount: fenToYuan(amountFen) }, ledger?.items ?? []);
    },
  });
  log.info('transfer outcome received', { transferId: transferIdOfRequestId(body.requestId), type: body.type, status: out.body.status });
  return out.body;
}
