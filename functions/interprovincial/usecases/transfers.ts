// Transfers in (转入): a member who moved here. Our staff ask the partner that holds the money with a
// signed TRANSFER_REQUEST (outbox); the partner's callback with the amount that left them is credited
// to the member's account here exactly once (entry key + the transfer's status, one transaction).
import { commit, type IdempotencyContext } from '../../../shared/tx.ts';
import { newId } from '../../../shared/ids.ts';
import { businessDate, now } from '../../../shared/clock.ts';
import { archiveItem } from '../../../shared/archive.ts';
import { centerCode } from '../../../shared/config.ts';
import { fail } from '../../../shared/errors.ts';
import { fenToYuan, yuanToFen } from '../../../shared/money.ts';
import { notFound, staffCovers, type Caller } from '../../../shared/auth.ts';
import { getAccount, mustGetAccount, ledgerWrite } from '../../../shared/ledger/ledger.ts';
import type { Logger } from '../../../shared/log.ts';
import { getPartner, getTransfer, putOutboxItem, putTransferItem } from '../store.ts';
import { transferOutbox, type Transfer } from '../domain/types.ts';
import { transferView } from '../domain/views.ts';
import { partnerActor, transferArchive } from '../domain/archive.ts';
import { isRecordId, type CallbackBody, type TransferBody } from '../schemas.ts';
import type { VerifiedCall } from './partners.ts';
import { afterCommit, dispatchOutbox } from './relay.ts';

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
  if (!out.replayed && id) await afterCommit(`transfer request ${id}`, () => dispatchOutbox(id), log);
  return out;
}

export async function readTransfer(caller: Caller, transferId: string) {
  const t = isRecordId(transferId) ? await getTransfer(transferId) : undefined; // never a key DynamoDB refuses
  if (!t || (caller.role === 'staff' && !staffCovers(caller, t.branch))) return notFound('Transfer request');
  return transferView(t);
}

/**
 * The partner's outcome of our TRANSFER_REQUEST. COMPLETED credits `result.amount` (TRANSFER_IN, entry
 * key TRANSFER-IN-<transferId>) with the transfer's status change; a repeated callback answers 200
 * and changes nothing; REJECTED records the rejection.
 */
export async function receiveCallback(call: VerifiedCall, body: CallbackBody, log: Logger) {
  const out = await commit({
    plan: async () => {
      const nonce = await call.nonce();
      const t = await getTransfer(body.requestId);
      if (!t || t.fromCenter !== call.partner.centerCode || body.type !== 'TRANSFER_REQUEST') return notFound('Transfer request');
      if (t.status === 'COMPLETED' || t.status === 'REJECTED') {
        if (t.status !== body.status) fail('INVALID_STATE', `The transfer is already ${t.status} / 转移已办结`);
        return { items: [nonce], body: transferView(t) };
      }
      const instant = now();
      const at = instant.toISOString();
      const base = { ...t, theirTrackingId: body.trackingId, updatedAt: at, completedAt: at };
      const actor = partnerActor(call.partner.centerCode);
      if (body.status === 'REJECTED') {
        const done: Transfer = { ...base, status: 'REJECTED', rejection: body.rejection };
        const archived = archiveItem({ ...transferArchive(done, 'REJECTED'), actor, submitted: body, decision: { status: 'REJECTED', code: body.rejection?.code, note: body.rejection?.message }, at });
        return { items: [nonce, putTransferItem(done, t.status), archived], body: transferView(done) };
      }
      const amountFen = yuanToFen(String(body.result?.amount));
      const account = await mustGetAccount(t.toAccountNo);
      const ledger = amountFen > 0 ? ledgerWrite([{ account, postings: [{ amountFen, type: 'TRANSFER_IN', ref: t.transferId, valueDate: businessDate(instant), entryKey: `TRANSFER-IN-${t.transferId}`, memo: `from ${t.fromCenter}` }] }]) : undefined;
      const done: Transfer = { ...base, status: 'COMPLETED', amountFen };
      const archived = archiveItem({ ...transferArchive(done, 'COMPLETED'), actor, submitted: body, decision: { status: 'COMPLETED', amount: fenToYuan(amountFen) }, at });
      return { items: [nonce, ...(ledger?.items ?? []), putTransferItem(done, t.status), archived], body: transferView(done) };
    },
  });
  log.info('transfer outcome received', { transferId: body.requestId, status: out.body.status });
  return out.body;
}
