// Partners' requests to us: accept (202 with a tracking id, idempotent on the partner's request id),
// process from the FIFO queue (RECEIVED → PROCESSING → COMPLETED | REJECTED, the effect and the state
// change in one transaction), answer by callback, and let partners and staff read them.
//
// Each service goes through the owning domain's published interface (its public.ts): the facts come
// from it, and its planning functions return the transaction items that carry the effect (a
// withdrawal, a loan's closing, a certificate), committed here together with the request's new
// status, its callback outbox and its archive record: one transaction, conditioned on the request's
// status as read, so that a redelivery or a racing cancel changes nothing twice.
import { createHash } from 'node:crypto';
import { commit } from '../../../shared/tx.ts';
import { canonicalJson } from '../../../shared/http.ts';
import { derivedId, newId } from '../../../shared/ids.ts';
import { businessDate, isoAfter, now } from '../../../shared/clock.ts';
import { archiveItem } from '../../../shared/archive.ts';
import { policyOn } from '../../../shared/policy.ts';
import { DomainError, fail } from '../../../shared/errors.ts';
import { notFound, type Caller } from '../../../shared/auth.ts';
import { accountNoByIdNumber, getAccount, ledgerWrite, type Account } from '../../../shared/ledger/ledger.ts';
import { yuanToFen } from '../../../shared/money.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { borrowerFlags, borrowerFlagsCheck, loanFactsOfAccount, planPartnerFullPrepayment, planPayoffCertificate } from '../../loans/public.ts';
import { depositFactsOf, planDepositCertificate } from '../../deposits/public.ts';
import { partnerWithdrawalOutcome, planPartnerPurchaseWithdrawal } from '../../withdrawals/public.ts';
import { paymentOrderItems } from '../../settlement/public.ts';
import type { Logger } from '../../../shared/log.ts';
import { cancelledRequestIdItem, getPartner, getRequest, getRequestIdClaim, listRequestsByStatus, newRequestItems, putOutboxItem, putRequestItem, requestCursor, requestCursorKey } from '../store.ts';
import { callbackOutbox, isFinal, relayDueAt, REQUEST_STATUSES, REVIEW_POLL_SECONDS, type InboundRequest, type OutboxMessage, type RequestStatus, type TransferPayment } from '../domain/types.ts';
import {
  balanceInquiryResult,
  cancelDecision,
  decideClosing,
  depositCertificateResult,
  identityRejection,
  loanResult,
  payoffCertificateDecision,
  prepaymentDecision,
  purchaseDecision,
  reject,
  rejection,
  type Decision,
} from '../domain/decide.ts';
import { requestView, staffRequestView } from '../domain/views.ts';
import { memberOwnerOf, partnerActor, requestArchive, SYSTEM } from '../domain/archive.ts';
import { isRecordId, type DepositCertificatePayload, type FullPrepaymentPayload, type InboundBody, type PayoffCertificatePayload, type PurchasePayload, type TransferCancelPayload } from '../schemas.ts';
import type { VerifiedCall } from './partners.ts';
import { sendAfterCommit } from '../../../shared/outbox.ts';
import { dispatchOutbox, dispatchRequest } from './relay.ts';

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
      if (claim && claim.trackingId === undefined) fail('INVALID_STATE', 'This request was withdrawn by your center before it arrived (TRANSFER_CANCEL) / 该申请在送达前已被贵中心撤回');
      if (claim) {
        if (claim.requestHash !== requestHash) fail('IDEMPOTENCY_KEY_REUSED', 'This requestId was used with a different request / 该请求编号已用于其他请求');
        created = undefined;
        return { items: [nonce], body: { trackingId: claim.trackingId as string, status: 'RECEIVED' as RequestStatus } };
      }
      const at = now();
      const owner = await memberOwner(body.payload as InboundRequest['payload']);
      created = {
        trackingId: newId('T'),
        partner,
        requestId: body.requestId,
        type: body.type,
        payload: body.payload as InboundRequest['payload'],
        // a cancel is not queued behind the member's other requests: it races the transfer it cancels, and the conditions decide
        group: body.type === 'TRANSFER_CANCEL' ? `CANCEL:${partner}:${(body.payload as TransferCancelPayload).requestId}` : (body.payload as { idNumber: string }).idNumber,
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
    await sendAfterCommit(`request ${request.trackingId}`, () => dispatchRequest(request), log);
  }
  return out;
}

/** The member's account by the identity a request names (the archive's owner). */
async function memberOwner(who: { idNumber?: unknown; name?: unknown }) {
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
  return staffRequestView(r);
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
    if (!more) return { items: items.map(staffRequestView), nextCursor: null };
    // the cursor is the last item's own key: the next page goes on after it (in the next status when its partition is done)
    if (items.length >= q.limit) return { items: items.map(staffRequestView), nextCursor: requestCursor(items[items.length - 1]) };
  }
}

/** What processing a request plans: the decision, the owning domains' items, and what else the decision changes. */
interface Planned {
  decision: Decision;
  /** The effect's items (ledger, withdrawal, loan, certificate) and the checks the decision was taken on. */
  items: TxItem[];
  /** The member's account (the archive's owner), when the request names one of ours. */
  owner: { accountNo?: string; branch?: string };
  /** TRANSFER_CANCEL of a request we hold: that request as it becomes (REJECTED CANCELLED) and the status it must still have. */
  cancelled?: { original: InboundRequest; done: InboundRequest };
  /** A completed TRANSFER_REQUEST: its payment order to the partner's settlement account (the items are among `items`), sent after the commit. */
  payment?: { record: TransferPayment; afterCommit: () => Promise<void> };
}

/** The member a request names, by ID number (undefined when we have no such account). */
async function memberAccount(r: InboundRequest): Promise<Account | undefined> {
  const accountNo = typeof r.payload.idNumber === 'string' ? await accountNoByIdNumber(r.payload.idNumber) : undefined;
  return accountNo ? getAccount(accountNo) : undefined;
}

/** Plans the decision of one request (read only: the items are committed by the caller with the request's new status). */
async function plan(r: InboundRequest, at: Date, today: string): Promise<Planned> {
  if (r.type === 'TRANSFER_CANCEL') return planCancel(r, at);
  const account = await memberAccount(r);
  const owner = memberOwnerOf(account, r.payload);
  const refused = identityRejection(r.type, r.payload, account);
  if (refused || !account) return { decision: refused ?? reject('MEMBER_NOT_MATCHED'), items: [], owner };
  const accountNo = account.accountNo;
  switch (r.type) {
    case 'BALANCE_INQUIRY':
    case 'DEPOSIT_CERTIFICATE': {
      const [facts, loanFacts] = await Promise.all([depositFactsOf(accountNo, today), loanFactsOfAccount(accountNo, today)]);
      if (!facts) return { decision: reject('NOT_FOUND'), items: [], owner };
      if (r.type === 'BALANCE_INQUIRY') return { decision: { status: 'COMPLETED', result: balanceInquiryResult(facts, loanFacts) }, items: [], owner };
      const { purpose } = r.payload as DepositCertificatePayload;
      const loansUsed = loanFacts.map(loanResult);
      // the certificate with its verification record (issue 17): a new one per request, superseding the account's previous one
      const issued = await planDepositCertificate({ accountNo, facts, loans: loansUsed, ...(purpose ? { purpose } : {}), issuedTo: { partner: r.partner }, trackingId: r.trackingId, today, at });
      if (!issued) return { decision: reject('NOT_FOUND'), items: [], owner };
      return { decision: { status: 'COMPLETED', result: { ...depositCertificateResult(issued.certificateNo, facts, loanFacts), verificationCode: issued.verificationCode } }, items: issued.items, owner };
    }
    case 'TRANSFER_REQUEST':
    case 'RETIREMENT_WITHDRAWAL': {
      const loanFlags = await borrowerFlags(accountNo);
      const decision = decideClosing(r, account, today, policyOn(today), loanFlags);
      if (decision.status !== 'COMPLETED' || !decision.effect) return { decision, items: [], owner };
      // a transfer out pays the amount to the partner's settlement account (api.md v1.1): without one, or
      // without a special account of ours to pay from, nothing moves
      const payment = r.type === 'TRANSFER_REQUEST' ? await transferPayment(r, account, yuanToFen(String(decision.result.amount)), at) : undefined;
      if (payment && !payment.ok) return { decision: reject(payment.reason), items: [], owner };
      // a decision that moves money was taken on the loan flags as read (no loan outstanding): they must still hold at commit
      const ledger = ledgerWrite([{ account, ...decision.effect }], { now: at });
      const paid = payment?.ok ? payment : undefined;
      return { decision, items: [...ledger.items, borrowerFlagsCheck(accountNo, loanFlags), ...(paid?.items ?? [])], owner, ...(paid?.record ? { payment: { record: paid.record, afterCommit: paid.afterCommit } } : {}) };
    }
    case 'PURCHASE_WITHDRAWAL': {
      const p = r.payload as PurchasePayload; // canonical: checked by the edge (schemas.ts) before it was stored
      const planned = await planPartnerPurchaseWithdrawal({
        accountNo,
        partner: r.partner,
        trackingId: r.trackingId,
        amountFen: yuanToFen(p.amount),
        evidence: { contractNo: p.contractNo, propertyCertificateNo: p.propertyCertificateNo, price: p.price, purchaseDate: p.purchaseDate, ...(p.city ? { city: p.city } : {}) },
        today,
        at,
      });
      return { decision: purchaseDecision(planned.outcome), items: planned.items, owner };
    }
    case 'LOAN_PAYOFF_CERTIFICATE': {
      const { loanId } = r.payload as PayoffCertificatePayload;
      // the certificate GET /v1/loans/{id}/payoff-certificate answers, with its verification code (issued on the first ask)
      const planned = await planPayoffCertificate(accountNo, loanId, at);
      const decision = payoffCertificateDecision(planned?.certificate);
      return { decision: decision.status === 'COMPLETED' && planned ? { ...decision, result: { ...decision.result, verificationCode: planned.certificate.verificationCode } } : decision, items: planned?.items ?? [], owner };
    }
    case 'FULL_PREPAYMENT': {
      const p = r.payload as FullPrepaymentPayload;
      const planned = await planPartnerFullPrepayment({ accountNo, loanId: p.loanId, amountFen: yuanToFen(p.amount), bankRef: p.bankRef, partner: r.partner, trackingId: r.trackingId, today, at });
      return { decision: prepaymentDecision(planned), items: planned.ok ? planned.items : [], owner };
    }
  }
}

/** The payment order id of a transfer out (deterministic: a re-planned commit orders the same one). */
export const transferPaymentId = (trackingId: string) => derivedId('P', 'TRANSFER_OUT', trackingId);

type TransferPaymentPlan =
  | { ok: true; items: TxItem[]; record?: TransferPayment; afterCommit: () => Promise<void> }
  | { ok: false; reason: 'NO_SETTLEMENT_ACCOUNT' | 'PAYMENT_ACCOUNT_UNAVAILABLE' };

/**
 * The payment of a completed TRANSFER_REQUEST: `amountFen` to the partner's `settlementAccount`, from the
 * PAYMENT account serving the member's branch (settlement public.ts). Nothing to pay (a zero balance):
 * no order. A partner without a settlement account, or no PAYMENT account serving the branch: refused.
 */
async function transferPayment(r: InboundRequest, account: Account, amountFen: number, at: Date): Promise<TransferPaymentPlan> {
  const partner = await getPartner(r.partner);
  if (!partner?.settlementAccount) return { ok: false, reason: 'NO_SETTLEMENT_ACCOUNT' };
  if (amountFen <= 0) return { ok: true, items: [], afterCommit: async () => {} };
  const paymentId = transferPaymentId(r.trackingId);
  try {
    const order = await paymentOrderItems({
      paymentId,
      branch: account.branch,
      payeeName: partner.name,
      payeeAccount: partner.settlementAccount,
      amountFen,
      purpose: 'TRANSFER_OUT',
      reference: r.requestId,
      source: { kind: 'TRANSFER_OUT', id: r.trackingId },
      at,
    });
    const record: TransferPayment = { paymentId, status: 'ORDERED', amountFen, payeeAccount: partner.settlementAccount, orderedAt: at.toISOString() };
    return { ok: true, items: order.items, record, afterCommit: order.afterCommit };
  } catch (err) {
    if (err instanceof DomainError && err.code === 'POLICY_VIOLATION') return { ok: false, reason: 'PAYMENT_ACCOUNT_UNAVAILABLE' };
    throw err;
  }
}

/** TRANSFER_CANCEL (api.md v1.1): see domain/decide.ts `cancelDecision`. */
async function planCancel(r: InboundRequest, at: Date): Promise<Planned> {
  const { requestId } = r.payload as TransferCancelPayload;
  const claim = await getRequestIdClaim(r.partner, requestId);
  if (claim?.cancelledBy) return { decision: { status: 'COMPLETED', result: { requestId, status: 'CANCELLED' } }, items: [], owner: {} };
  const original = claim?.trackingId ? await getRequest(claim.trackingId) : undefined;
  if (claim && !original) return { decision: reject('REQUEST_NOT_FOUND'), items: [], owner: {} };
  const c = cancelDecision(requestId, original);
  if (c.kind === 'CANCEL_UNRECEIVED') return { decision: c.decision, items: [cancelledRequestIdItem(r.partner, requestId, r.trackingId)], owner: {} };
  const owner = original ? memberOwnerOf(await memberAccount(original), original.payload) : {};
  if (c.kind === 'ANSWER') return { decision: c.decision, items: [], owner };
  const iso = at.toISOString();
  const done: InboundRequest = { ...c.original, status: 'REJECTED', rejection: rejection('CANCELLED'), updatedAt: iso, completedAt: iso, dueAt: undefined };
  return { decision: c.decision, items: [], owner, cancelled: { original: c.original, done } };
}

/** The request's final state with its callback and archive record (to commit conditioned on `expect`). */
function finalItems(r: InboundRequest, decision: Exclude<Decision, { status: 'PROCESSING' }>, owner: { accountNo?: string; branch?: string }, at: Date, expect: RequestStatus, submitted: unknown, payment?: TransferPayment) {
  const done: InboundRequest = {
    ...r,
    status: decision.status,
    ...(decision.status === 'COMPLETED' ? { result: decision.result } : { rejection: decision.rejection }),
    ...(payment ? { payment } : {}),
    updatedAt: at.toISOString(),
    completedAt: at.toISOString(),
    dueAt: undefined,
  };
  const callback = callbackOutbox(done, at);
  const decided = decision.status === 'COMPLETED' ? { status: 'COMPLETED', result: decision.result } : { status: 'REJECTED', code: decision.rejection.code, note: decision.rejection.message };
  const archived = archiveItem({ ...requestArchive(done, done.status, owner), actor: SYSTEM, submitted, decision: decided, at: done.updatedAt });
  return { callback, items: [putRequestItem(done, expect), putOutboxItem(callback), archived] };
}

/**
 * The queue worker's use case. Idempotent under redelivery: each step is conditioned on the status it
 * leaves, and the effect and the final status commit together with the callback outbox. A purchase
 * withdrawal under staff review leaves the request PROCESSING with its withdrawalId (followReview
 * finishes it); a TRANSFER_CANCEL that wins rejects the original request in the same transaction.
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
  let paymentSend: (() => Promise<void>) | undefined;
  const out = await commit({
    plan: async () => {
      const r = await getRequest(trackingId);
      if (!r || r.status !== 'PROCESSING') return { items: [], body: undefined };
      const at = now();
      const planned = await plan(r, at, businessDate(at));
      const { decision, owner } = planned;
      if (decision.status === 'PROCESSING') {
        if (r.withdrawalId === decision.withdrawalId) return { items: planned.items, body: undefined }; // a redelivery: still under review
        const reviewing: InboundRequest = { ...r, withdrawalId: decision.withdrawalId, updatedAt: at.toISOString(), dueAt: isoAfter(at, REVIEW_POLL_SECONDS * 1000) };
        const archived = archiveItem({ ...requestArchive(reviewing, 'UNDER_REVIEW', owner), actor: SYSTEM, submitted: { trackingId }, decision: { status: 'PROCESSING', withdrawalId: decision.withdrawalId }, at: reviewing.updatedAt });
        return { items: [...planned.items, putRequestItem(reviewing, 'PROCESSING'), archived], body: { callbacks: [] as OutboxMessage[], status: 'PROCESSING' as RequestStatus } };
      }
      const final = finalItems(r, decision, owner, at, 'PROCESSING', { trackingId }, planned.payment?.record);
      const callbacks = [final.callback];
      const items = [...planned.items, ...final.items];
      if (planned.cancelled) {
        // the original request: REJECTED CANCELLED, conditioned on the status it had when read (its own processing loses, or this cancel is re-planned)
        const { original, done } = planned.cancelled;
        const cb = callbackOutbox(done, at);
        callbacks.push(cb);
        items.push(
          putRequestItem(done, original.status),
          putOutboxItem(cb),
          archiveItem({ ...requestArchive(done, 'REJECTED', owner), actor: partnerActor(r.partner), submitted: { cancelTrackingId: r.trackingId, requestId: original.requestId }, decision: { status: 'REJECTED', code: 'CANCELLED', note: done.rejection?.message }, at: done.updatedAt }),
        );
      }
      paymentSend = planned.payment?.afterCommit;
      return { items, body: { callbacks, status: decision.status as RequestStatus } };
    },
  });
  if (!out.body) return;
  const { callbacks, status } = out.body;
  log.info('inter-provincial request decided', { trackingId, status });
  const send = paymentSend;
  if (send && status === 'COMPLETED') await sendAfterCommit(`payment of ${trackingId}`, send, log);
  for (const cb of callbacks) await sendAfterCommit(`callback ${cb.outboxId}`, () => dispatchOutbox(cb.outboxId), log);
}

/**
 * The sweeper's follow-up of a partner's purchase withdrawal under staff review: once the withdrawal
 * is PAID or REJECTED (withdrawals partnerWithdrawalOutcome), the request completes or is rejected with
 * its callback and archive record; while it is still under review, the next look is re-armed.
 * Returns whether the request was decided.
 */
export async function followReview(trackingId: string, log: Logger): Promise<boolean> {
  const out = await commit({
    plan: async () => {
      const r = await getRequest(trackingId);
      if (!r || r.status !== 'PROCESSING' || !r.withdrawalId) return { items: [], body: undefined };
      const at = now();
      const outcome = await partnerWithdrawalOutcome(r.withdrawalId);
      const decision = outcome ? purchaseDecision(outcome) : undefined;
      if (!decision || decision.status === 'PROCESSING') {
        const rearmed: InboundRequest = { ...r, sweeps: (r.sweeps ?? 0) + 1, dueAt: isoAfter(at, REVIEW_POLL_SECONDS * 1000) };
        return { items: [putRequestItem(rearmed, 'PROCESSING')], body: undefined };
      }
      const owner = memberOwnerOf(await memberAccount(r), r.payload);
      const final = finalItems(r, decision, owner, at, 'PROCESSING', { trackingId, withdrawalId: r.withdrawalId, reviewed: outcome?.status });
      return { items: final.items, body: final.callback };
    },
  });
  const callback = out.body;
  if (!callback) return false;
  log.info('inter-provincial purchase withdrawal reviewed', { trackingId });
  await sendAfterCommit(`callback ${callback.outboxId}`, () => dispatchOutbox(callback.outboxId), log);
  return true;
}
