// Partners' requests to us: accept (202 with a tracking id, idempotent on the partner's request id),
// process from the FIFO queue (RECEIVED → PROCESSING → COMPLETED | REJECTED, the effect and the state
// change in one transaction), answer by callback, and let partners and staff read them.
import { createHash } from 'node:crypto';
import { commit } from '../../../shared/tx.ts';
import { canonicalJson } from '../../../shared/http.ts';
import { newId } from '../../../shared/ids.ts';
import { businessDate, now } from '../../../shared/clock.ts';
import { archiveItem } from '../../../shared/archive.ts';
import { policyOn } from '../../../shared/policy.ts';
import { fail } from '../../../shared/errors.ts';
import { notFound, type Caller } from '../../../shared/auth.ts';
import { accountNoByIdNumber, getAccount, ledgerWrite } from '../../../shared/ledger/ledger.ts';
import { borrowerFlags, borrowerFlagsCheck } from '../../loans/public.ts';
import type { Logger } from '../../../shared/log.ts';
import { getRequest, getRequestIdClaim, listRequestsByStatus, newRequestItems, putOutboxItem, putRequestItem, requestCursor, requestCursorKey } from '../store.ts';
import { callbackOutbox, isFinal, relayDueAt, REQUEST_STATUSES, type InboundRequest, type RequestStatus } from '../domain/types.ts';
import { decide } from '../domain/decide.ts';
import { requestView } from '../domain/views.ts';
import { memberOwnerOf, partnerActor, requestArchive, SYSTEM } from '../domain/archive.ts';
import { isRecordId, type InboundBody } from '../schemas.ts';
import type { VerifiedCall } from './partners.ts';
import { afterCommit, dispatchOutbox, dispatchRequest } from './relay.ts';

/**
 * Accepts a partner's request. The nonce, the uniqueness of (partner, requestId) and the request are
 * one transaction. The same requestId again answers the same 202 body (same trackingId) and does
 * nothing else; the same requestId with another body is 422 IDEMPOTENCY_KEY_REUSED.
 */
export async function receiveRequest(call: VerifiedCall, body: InboundBody, log: Logger) {
  const partner = call.partner.centerCode;
  const requestHash = createHash('sha256').update(canonicalJson(body)).digest('hex');
  let created: InboundRequest | undefined;
  const out = await commit({
    status: 202,
    plan: async () => {
      const nonce = await call.nonce();
      const claim = await getRequestIdClaim(partner, body.requestId);
      if (claim) {
        if (claim.requestHash !== requestHash) fail('IDEMPOTENCY_KEY_REUSED', 'This requestId was used with a different request / 该请求编号已用于其他请求');
        created = undefined;
        return { items: [nonce], body: { trackingId: claim.trackingId, status: 'RECEIVED' as RequestStatus } };
      }
      const at = now();
      const owner = await memberOwner(body.payload as InboundRequest['payload']);
      created = {
        trackingId: newId('T'),
        partner,
        requestId: body.requestId,
        type: body.type,
        payload: body.payload as InboundRequest['payload'],
        requestHash,
        status: 'RECEIVED',
        receivedAt: at.toISOString(),
        updatedAt: at.toISOString(),
        dueAt: relayDueAt(at),
      };
      const archived = archiveItem({ ...requestArchive(created, 'RECEIVED', owner), actor: partnerActor(partner), submitted: body, decision: { status: 'RECEIVED' }, at: created.receivedAt });
      return { items: [nonce, ...newRequestItems(created), archived], body: { trackingId: created.trackingId, status: created.status } };
    },
  });
  const request = created;
  if (request) {
    log.info('inter-provincial request received', { trackingId: request.trackingId, partner, type: request.type });
    await afterCommit(`request ${request.trackingId}`, () => dispatchRequest(request), log);
  }
  return out;
}

/** The member's account by the identity a request names (the archive's owner). */
async function memberOwner(who: { idNumber: string; name: string }) {
  const accountNo = typeof who.idNumber === 'string' ? await accountNoByIdNumber(who.idNumber) : undefined;
  return memberOwnerOf(accountNo ? await getAccount(accountNo) : undefined, who);
}

/** A partner reads its own request; another partner's is 404. */
export async function readRequestAsPartner(partner: string, trackingId: string) {
  const r = isRecordId(trackingId) ? await getRequest(trackingId) : undefined; // never a key DynamoDB refuses
  if (!r || r.partner !== partner) return notFound('Request');
  return requestView(r);
}

/** Staff read any request: inter-provincial business is handled at city level (and auditors read all). */
export async function readRequestAsStaff(caller: Caller, trackingId: string) {
  assertCityLevel(caller);
  const r = isRecordId(trackingId) ? await getRequest(trackingId) : undefined;
  if (!r) return notFound('Request');
  return requestView(r);
}

const assertCityLevel = (caller: Caller) => {
  if (caller.role === 'staff' && caller.branch !== '*') fail('FORBIDDEN', 'Inter-provincial requests are handled at city level / 跨省通办业务由市级中心办理');
};

/**
 * Staff list: by status (newest first), or every status in turn (RECEIVED, PROCESSING, COMPLETED,
 * REJECTED). City-level staff and auditors only: the requests concern members of every branch.
 */
export async function listRequests(caller: Caller, q: { status?: RequestStatus; limit: number; cursor?: string }) {
  assertCityLevel(caller);
  const walk: readonly RequestStatus[] = q.status ? [q.status] : REQUEST_STATUSES;
  const from = q.cursor ? requestCursorKey(q.cursor, walk) : undefined;
  let s = from ? walk.indexOf(from.status) : 0;
  let key = from?.key;
  const items: InboundRequest[] = [];
  for (;;) {
    const page = await listRequestsByStatus(walk[s], q.limit - items.length, key);
    items.push(...page.items);
    key = page.lastKey;
    const more = !!key || s + 1 < walk.length;
    if (!key) s++;
    if (!more) return { items: items.map(requestView), nextCursor: null };
    // the cursor is the last item's own key: the next page goes on after it (in the next status when its partition is done)
    if (items.length >= q.limit) return { items: items.map(requestView), nextCursor: requestCursor(items[items.length - 1]) };
  }
}

/**
 * The queue worker's use case. Idempotent under redelivery: each step is conditioned on the status it
 * leaves, and the effect (ledger) and the final status commit together with the callback outbox.
 */
export async function processRequest(trackingId: string, log: Logger): Promise<void> {
  const first = await getRequest(trackingId);
  if (!first) return log.warn('unknown request', { trackingId });
  if (isFinal(first.status)) return;
  if (first.status === 'RECEIVED') {
    await commit({
      plan: async () => {
        const r = await getRequest(trackingId);
        if (!r || r.status !== 'RECEIVED') return { items: [], body: null };
        const at = now();
        const processing: InboundRequest = { ...r, status: 'PROCESSING', updatedAt: at.toISOString(), dueAt: relayDueAt(at) };
        const archived = archiveItem({ ...requestArchive(processing, 'PROCESSING', await memberOwner(r.payload)), actor: SYSTEM, submitted: { trackingId }, decision: { status: 'PROCESSING' }, at: processing.updatedAt });
        return { items: [putRequestItem(processing, 'RECEIVED'), archived], body: null };
      },
    });
  }
  const out = await commit({
    plan: async () => {
      const r = await getRequest(trackingId);
      if (!r || r.status !== 'PROCESSING') return { items: [], body: undefined };
      const accountNo = await accountNoByIdNumber(r.payload.idNumber);
      const [account, loanFlags] = accountNo ? await Promise.all([getAccount(accountNo), borrowerFlags(accountNo)]) : [undefined, { hasOverdueLoan: false }];
      const at = now();
      const today = businessDate(at);
      const decision = decide(r, account, today, policyOn(today), loanFlags);
      const ledger = decision.status === 'COMPLETED' && decision.effect && account ? ledgerWrite([{ account, ...decision.effect }], { now: at }) : undefined;
      // a decision that moves money was taken on the loan flags as read (no loan outstanding, none
      // overdue): they must still hold at commit
      const flagsCheck = ledger && account ? [borrowerFlagsCheck(account.accountNo, loanFlags)] : [];
      const done: InboundRequest = {
        ...r,
        status: decision.status,
        ...(decision.status === 'COMPLETED' ? { result: decision.result } : { rejection: decision.rejection }),
        updatedAt: at.toISOString(),
        completedAt: at.toISOString(),
        dueAt: undefined,
      };
      const callback = callbackOutbox(done, at);
      const decided = decision.status === 'COMPLETED' ? { status: 'COMPLETED', result: decision.result } : { status: 'REJECTED', code: decision.rejection.code, note: decision.rejection.message };
      const archived = archiveItem({ ...requestArchive(done, done.status, memberOwnerOf(account, r.payload)), actor: SYSTEM, submitted: { trackingId }, decision: decided, at: done.updatedAt });
      return { items: [...(ledger?.items ?? []), ...flagsCheck, putRequestItem(done, 'PROCESSING'), putOutboxItem(callback), archived], body: { callback, status: done.status } };
    },
  });
  if (!out.body) return;
  const { callback, status } = out.body;
  log.info('inter-provincial request decided', { trackingId, status });
  await afterCommit(`callback ${callback.outboxId}`, () => dispatchOutbox(callback.outboxId), log);
}
