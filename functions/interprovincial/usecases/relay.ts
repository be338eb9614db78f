// Messages that follow a commit (no dual writes): the record is committed with a `dueAt`, the message is
// sent after the commit, and the sweeper re-sends whatever is still pending after `dueAt` (a crash
// between commit and send, a lost message, a message in the DLQ). Consumers are idempotent.
import { send } from '../../../shared/sqs.ts';
import { commit } from '../../../shared/tx.ts';
import { derivedId } from '../../../shared/ids.ts';
import { centerCode } from '../../../shared/config.ts';
import { signedHeaders } from '../../../shared/signature.ts';
import type { Logger } from '../../../shared/log.ts';
import { archiveItem } from '../../../shared/archive.ts';
import { now, nowIso } from '../../../shared/clock.ts';
import { claimSend, released, sendAfterCommit } from '../../../shared/outbox.ts';
import { claimOutboxItem, getOutbox, getPartner, getRequest, getTransfer, pendingDue, putOutboxItem, putRequestItem, putTransferItem } from '../store.ts';
import { groupOf, isFinal, relayDueAt, type InboundRequest, type OutboxMessage } from '../domain/types.ts';
import { SYSTEM, transferArchive } from '../domain/archive.ts';
import { partnerSecret } from './partners.ts';
import type { InboundRequestMessage, OutboundDeliveryMessage } from '../schemas.ts';

const PARTNER_TIMEOUT_MS = 10_000;
/** How long a worker holds the send of a message (longer than the partner call may take). */
const SEND_LEASE_MS = 3 * PARTNER_TIMEOUT_MS;
const SWEEP_PAGE = 100;
const SWEEP_MAX_PAGES = 10;
/** A one-partner sweep reads the other partners' records too (filtered out): more pages. */
const SWEEP_MAX_PAGES_ONE_PARTNER = 50;

/**
 * FIFO per member: the group is a digest of the ID number (no personal data in queue metadata). The
 * deduplication id names the relay (`sweeps`): SQS FIFO drops a message whose id it saw in the last
 * five minutes, so a re-send by the sweeper under the first send's id would be silently discarded.
 */
export const dispatchRequest = (r: Pick<InboundRequest, 'trackingId' | 'payload' | 'group' | 'sweeps'>) =>
  send('interprovincial-inbound', { body: { trackingId: r.trackingId } satisfies InboundRequestMessage, groupId: derivedId('M', groupOf(r)), deduplicationId: r.sweeps ? `${r.trackingId}.${r.sweeps}` : r.trackingId });

export const dispatchOutbox = (outboxId: string) => send('interprovincial-outbound', { body: { outboxId } satisfies OutboundDeliveryMessage });

/**
 * Delivers one outbox message: a signed POST to the partner. A non-2xx answer or a network error
 * throws (the queue retries, then the DLQ); a 2xx marks it delivered (and our transfer SENT). A
 * transfer request withdrawn by our staff before it was sent (WITHDRAWN) is never sent.
 */
export async function deliver(outboxId: string, log: Logger): Promise<void> {
  const first = await getOutbox(outboxId);
  if (!first) return log.warn('unknown outbox message', { outboxId });
  // claim the send first (shared/outbox.ts): a partner gets a message once per attempt; the sweeper
  // re-sends only a message whose worker died mid-send
  const msg = await claimSend({
    read: () => getOutbox(outboxId),
    pending: (m) => m.status === 'PENDING',
    leaseMs: SEND_LEASE_MS,
    write: (claimed, _read, at) => claimOutboxItem(claimed, at),
  });
  if (!msg) return;
  try {
    await postToPartner(msg, outboxId, log);
  } catch (error) {
    // released at once, so the queue's retry sends it (the claim would otherwise hold it until its end)
    await commit({
      plan: async () => {
        const m = await getOutbox(outboxId);
        if (!m || m.status !== 'PENDING' || m.sendingUntil !== msg.sendingUntil) return { items: [], body: null };
        return { items: [claimOutboxItem(released(m), nowIso(), msg.sendingUntil)], body: null };
      },
    }).catch((releaseError: unknown) => log.warn('releasing the send claim failed; it expires', { outboxId, error: releaseError }));
    throw error;
  }
}

/** The signed POST of a claimed message, then its delivery recorded (the claim ends with it). */
async function postToPartner(msg: OutboxMessage, outboxId: string, log: Logger): Promise<void> {
  const partner = await getPartner(msg.partner);
  if (!partner) throw new Error(`partner ${msg.partner} is not registered`);
  const base = msg.kind === 'CALLBACK' ? partner.callbackUrl : partner.apiBaseUrl && `${partner.apiBaseUrl.replace(/\/+$/, '')}${msg.path ?? ''}`;
  if (!base) throw new Error(`partner ${msg.partner} has no apiBaseUrl`);
  const url = new URL(base);
  const secret = await partnerSecret(partner); // opened for this signature only (cached for a bounded time)
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signedHeaders(centerCode(), secret, { method: 'POST', path: url.pathname, rawBody: msg.body }) },
    body: msg.body,
    signal: AbortSignal.timeout(PARTNER_TIMEOUT_MS),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`partner ${msg.partner} answered ${res.status} to ${msg.kind} ${msg.ref}`);
  let theirTrackingId: string | undefined;
  try {
    const parsed = JSON.parse(text) as { trackingId?: unknown };
    if (typeof parsed?.trackingId === 'string') theirTrackingId = parsed.trackingId;
  } catch {
    /* a callback answer needs no body */
  }
  await commit({
    plan: async () => {
      const m = await getOutbox(outboxId);
      if (!m || m.status !== 'PENDING') return { items: [], body: null };
      const at = nowIso();
      const items = [putOutboxItem({ ...released(m), status: 'DELIVERED', deliveredAt: at, dueAt: undefined }, 'PENDING')];
      if (m.kind === 'TRANSFER_REQUEST') {
        const t = await getTransfer(m.ref);
        // the partner's callback may have arrived first: then only the tracking id is recorded
        if (t) items.push(putTransferItem({ ...t, status: t.status === 'QUEUED' ? 'SENT' : t.status, ...(t.statusBeforeCancel ? { statusBeforeCancel: 'SENT' as const } : {}), theirTrackingId: t.theirTrackingId ?? theirTrackingId, updatedAt: at }, t.status));
        if (t?.status === 'QUEUED')
          items.push(archiveItem({ ...transferArchive(t, 'SENT'), actor: SYSTEM, submitted: { outboxId, partner: m.partner }, decision: { status: 'SENT', ...(theirTrackingId ? { trackingId: theirTrackingId } : {}) }, at }));
      }
      return { items, body: null };
    },
  });
  log.info('delivered', { outboxId, kind: msg.kind, partner: msg.partner, status: res.status });
}

/**
 * Re-sends every record still pending after its `dueAt`, and pushes its next `dueAt` back (doubling).
 * `partner` limits the sweep to that partner's records (the scheduled run sweeps them all).
 */
export async function sweep(log: Logger, opts: { partner?: string; followReview?: (trackingId: string, log: Logger) => Promise<boolean> } = {}): Promise<{ relayed: number }> {
  let relayed = 0;
  const at = now();
  let start: Record<string, unknown> | undefined;
  for (let page = 0; page < (opts.partner ? SWEEP_MAX_PAGES_ONE_PARTNER : SWEEP_MAX_PAGES); page++) {
    const due = await pendingDue(at, SWEEP_PAGE, { partner: opts.partner, start });
    for (const ref of due.refs) {
      if (ref.kind === 'REQUEST' ? await rearmRequest(ref.trackingId, at, log, opts.followReview) : await rearmOutbox(ref.outboxId, at, log)) relayed++;
    }
    start = due.lastKey;
    if (!start) break;
  }
  log.info('outbox swept', { relayed, ...(opts.partner ? { partner: opts.partner } : {}) });
  return { relayed };
}

/**
 * A request still pending after its dueAt goes back to the inbound queue; one whose purchase withdrawal
 * is under staff review (withdrawalId) is followed up here instead (`followReview`: completed or
 * rejected once staff decided, else looked at again later).
 */
async function rearmRequest(trackingId: string, at: Date, log: Logger, followReview?: (trackingId: string, log: Logger) => Promise<boolean>): Promise<boolean> {
  const first = await getRequest(trackingId);
  if (first?.withdrawalId && first.status === 'PROCESSING') return followReview ? followReview(trackingId, log) : false;
  const out = await commit({
    plan: async () => {
      const r = await getRequest(trackingId);
      if (!r || isFinal(r.status) || !r.dueAt || r.dueAt > at.toISOString() || r.withdrawalId) return { items: [], body: undefined };
      const sweeps = (r.sweeps ?? 0) + 1;
      const rearmed: InboundRequest = { ...r, sweeps, dueAt: relayDueAt(at, sweeps) };
      return { items: [putRequestItem(rearmed, r.status)], body: rearmed };
    },
  });
  const rearmed = out.body;
  if (rearmed) await sendAfterCommit(`request ${trackingId}`, () => dispatchRequest(rearmed), log);
  return !!rearmed;
}

async function rearmOutbox(outboxId: string, at: Date, log: Logger): Promise<boolean> {
  const out = await commit({
    plan: async () => {
      const m: OutboxMessage | undefined = await getOutbox(outboxId);
      if (!m || m.status !== 'PENDING' || !m.dueAt || m.dueAt > at.toISOString()) return { items: [], body: false };
      const sweeps = (m.sweeps ?? 0) + 1;
      return { items: [putOutboxItem({ ...m, sweeps, dueAt: relayDueAt(at, sweeps) }, 'PENDING')], body: true };
    },
  });
  if (out.body) await sendAfterCommit(`outbox ${outboxId}`, () => dispatchOutbox(outboxId), log);
  return out.body;
}
