// Partners' requests to us: accept (202 with a tracking id, idempotent on the partner's request id),
// process from the FIFO queue (RECEIVED → PROCESSING → COMPLETED | REJECTED, the effect and the state
// change in one transaction), answer by callback, and let partners and staff read them.
import { createHash } from 'node:crypto';
import { commit } from '../../../shared/tx.ts';
import { canonicalJson } from '../../../shared/http.ts';
import { newId } from '../../../shared/ids.ts';
import { businessDate } from '../../../shared/clock.ts';
import { policyOn } from '../../../shared/policy.ts';
import { fail } from '../../../shared/errors.ts';
import { notFound, type Caller } from '../../../shared/auth.ts';
import { accountNoByIdNumber, getAccount, ledgerWrite } from '../../../shared/ledger/ledger.ts';
import type { Logger } from '../../../shared/log.ts';
import { checkCursorKey, invalidCursor, getRequest, getRequestIdClaim, listRequestsByStatus, newRequestItems, putOutboxItem, putRequestItem } from '../store.ts';
import { callbackOutbox, isFinal, relayDueAt, REQUEST_STATUSES, type InboundRequest, type RequestStatus } from '../domain/types.ts';
import { decide } from '../domain/decide.ts';
import { requestView } from '../domain/views.ts';
import type { InboundBody } from '../schemas.ts';
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
      const now = new Date();
      created = {
        trackingId: newId('T'),
        partner,
        requestId: body.requestId,
        type: body.type,
        payload: body.payload as InboundRequest['payload'],
        requestHash,
        status: 'RECEIVED',
        receivedAt: now.toISOString(),
        updatedAt: now.toISOString(),
        dueAt: relayDueAt(now),
      };
      return { items: [nonce, ...newRequestItems(created)], body: { trackingId: created.trackingId, status: created.status } };
    },
  });
  const request = created;
  if (request) {
    log.info('inter-provincial request received', { trackingId: request.trackingId, partner, type: request.type });
    await afterCommit(`request ${request.trackingId}`, () => dispatchRequest(request), log);
  }
  return out;
}

/** A partner reads its own request; another partner's is 404. */
export async function readRequestAsPartner(partner: string, trackingId: string) {
  const r = await getRequest(trackingId);
  if (!r || r.partner !== partner) return notFound('Request');
  return requestView(r);
}

/** Staff read any request: inter-provincial business is handled at city level (and auditors read all). */
export async function readRequestAsStaff(caller: Caller, trackingId: string) {
  assertCityLevel(caller);
  const r = await getRequest(trackingId);
  if (!r) return notFound('Request');
  return requestView(r);
}

const assertCityLevel = (caller: Caller) => {
  if (caller.role === 'staff' && caller.branch !== '*') fail('FORBIDDEN', 'Inter-provincial requests are handled at city level / 跨省通办业务由市级中心办理');
};

interface ListCursor {
  /** Index in REQUEST_STATUSES (listing without a status walks them in order). */
  s: number;
  k?: Record<string, unknown>;
}

const encodeCursor = (c: ListCursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(cursor: string | undefined, only: RequestStatus | undefined): ListCursor {
  const first: ListCursor = { s: only ? REQUEST_STATUSES.indexOf(only) : 0 };
  if (!cursor) return first;
  let c: ListCursor | undefined;
  try {
    c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    c = undefined;
  }
  const s = c?.s;
  if (typeof s !== 'number' || !Number.isInteger(s) || s < 0 || s >= REQUEST_STATUSES.length || (only && REQUEST_STATUSES[s] !== only)) invalidCursor();
  return { s: s as number, k: c?.k === undefined ? undefined : checkCursorKey(c.k, REQUEST_STATUSES[s as number]) };
}

/**
 * Staff list: by status (newest first), or every status in turn (RECEIVED, PROCESSING, COMPLETED,
 * REJECTED). City-level staff and auditors only: the requests concern members of every branch.
 */
export async function listRequests(caller: Caller, q: { status?: RequestStatus; limit: number; cursor?: string }) {
  assertCityLevel(caller);
  let c = decodeCursor(q.cursor, q.status);
  const items: ReturnType<typeof requestView>[] = [];
  for (;;) {
    const page = await listRequestsByStatus(REQUEST_STATUSES[c.s], q.limit - items.length, c.k);
    items.push(...page.items.map(requestView));
    if (page.lastKey) c = { s: c.s, k: page.lastKey };
    else if (!q.status && c.s + 1 < REQUEST_STATUSES.length) c = { s: c.s + 1 };
    else return { items, nextCursor: null };
    if (items.length >= q.limit) return { items, nextCursor: encodeCursor(c) };
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
        const now = new Date();
        return { items: [putRequestItem({ ...r, status: 'PROCESSING', updatedAt: now.toISOString(), dueAt: relayDueAt(now) }, 'RECEIVED')], body: null };
      },
    });
  }
  const out = await commit({
    plan: async () => {
      const r = await getRequest(trackingId);
      if (!r || r.status !== 'PROCESSING') return { items: [], body: undefined };
      const accountNo = await accountNoByIdNumber(r.payload.idNumber);
      const account = accountNo ? await getAccount(accountNo) : undefined;
      const today = businessDate();
      const decision = decide(r, account, today, policyOn(today));
      const ledger = decision.status === 'COMPLETED' && decision.effect && account ? ledgerWrite([{ account, ...decision.effect }]) : undefined;
      const now = new Date();
      const done: InboundRequest = {
        ...r,
        status: decision.status,
        ...(decision.status === 'COMPLETED' ? { result: decision.result } : { rejection: decision.rejection }),
        updatedAt: now.toISOString(),
        completedAt: now.toISOString(),
        dueAt: undefined,
      };
      const callback = callbackOutbox(done, now);
      return { items: [...(ledger?.items ?? []), putRequestItem(done, 'PROCESSING'), putOutboxItem(callback)], body: { callback, status: done.status } };
    },
  });
  if (!out.body) return;
  const { callback, status } = out.body;
  log.info('inter-provincial request decided', { trackingId, status });
  await afterCommit(`callback ${callback.outboxId}`, () => dispatchOutbox(callback.outboxId), log);
}
