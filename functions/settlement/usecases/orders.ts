// Payment orders (付款指令): a record and its outbox flag in the caller's commit, a message to
// settlement-payments after it, a signed POST {apiBaseUrl}/v1/payments by the worker (idempotent at the
// bank by paymentId), marked SENT once acknowledged (2xx). An unacknowledged order is re-sent by the
// sweep-payments schedule with back-off (`dueAt`), never twice at once for the same attempt.
import { send } from '../../../shared/sqs.ts';
import { commit } from '../../../shared/tx.ts';
import { centerCode } from '../../../shared/config.ts';
import { signedHeaders } from '../../../shared/signature.ts';
import { fenToYuan } from '../../../shared/money.ts';
import { isoAfter, now } from '../../../shared/clock.ts';
import { claimSend, released } from '../../../shared/outbox.ts';
import { fail } from '../../../shared/errors.ts';
import type { Logger } from '../../../shared/log.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { getBank, getPayment, listBanks, pendingPayments, putPaymentItem } from '../store.ts';
import { resendDelayMs, servingPaymentAccount } from '../domain/rules.ts';
import type { PaymentOrder, PaymentSource } from '../domain/types.ts';
import { bankSecret } from './banks.ts';
import type { PaymentOrderMessage } from '../schemas.ts';

const BANK_TIMEOUT_MS = 10_000;
/** How long a worker holds the send of an order (longer than the bank call may take). */
const SEND_LEASE_MS = 3 * BANK_TIMEOUT_MS;
/** The first send follows the commit; the sweeper re-sends it when this has passed without an acknowledgement. */
const FIRST_RESEND_MS = 60_000;

/** What a domain orders: the payment's facts (the bank and its PAYMENT account are chosen here) and when. */
export interface PaymentOrderInput extends Pick<PaymentOrder, 'paymentId' | 'payeeName' | 'payeeAccount' | 'amountFen' | 'purpose' | 'reference' | 'source'> {
  /** The branch of the record it pays (decides the PAYMENT account); undefined: city level (accounts serving every branch). */
  branch?: string;
  /** Pay from this bank when one of its PAYMENT accounts serves the branch (a refund leaves the bank the money came to). */
  preferBank?: string;
  at: Date;
}

/**
 * The items that order a payment (put them in the commit of the record it pays), and `afterCommit`,
 * which sends it to the worker. The PAYMENT account is the one serving `branch` registered last; none
 * serving it is 422 POLICY_VIOLATION. The order's condition makes a paymentId ordered once.
 */
export async function paymentOrderItems(input: PaymentOrderInput): Promise<{ items: TxItem[]; order: PaymentOrder; afterCommit: () => Promise<void> }> {
  const banks = await listBanks();
  const preferred = input.preferBank ? banks.filter((b) => b.bankCode === input.preferBank) : [];
  // a payment of the city (no branch: a suspense refund) leaves the preferred bank from any of its PAYMENT accounts
  const serving = servingPaymentAccount(preferred, input.branch, { anyBranch: input.branch === undefined }) ?? servingPaymentAccount(banks, input.branch);
  if (!serving) fail('POLICY_VIOLATION', `No bank's PAYMENT account serves ${input.branch ?? 'the city'} / 没有可付款的专户`);
  const orderedAt = input.at.toISOString();
  const order: PaymentOrder = {
    paymentId: input.paymentId,
    bankCode: serving!.bankCode,
    fromAccountNo: serving!.account.accountNo,
    payeeName: input.payeeName,
    payeeAccount: input.payeeAccount,
    amountFen: input.amountFen,
    purpose: input.purpose,
    reference: input.reference,
    source: input.source,
    ...(input.branch ? { branch: input.branch } : {}),
    status: 'ORDERED',
    delivery: 'PENDING',
    attempts: 0,
    dueAt: isoAfter(input.at, FIRST_RESEND_MS),
    orderedAt,
  };
  return { items: [putPaymentItem(order)], order, afterCommit: () => dispatchPayment(order.paymentId) };
}

export const dispatchPayment = (paymentId: string) => send('settlement-payments', { body: { paymentId } satisfies PaymentOrderMessage });

/** The body a bank receives for an order (api.md). */
export const paymentMessage = (p: PaymentOrder) => ({ paymentId: p.paymentId, fromAccountNo: p.fromAccountNo, payeeName: p.payeeName, payeeAccount: p.payeeAccount, amount: fenToYuan(p.amountFen), purpose: p.purpose, reference: p.reference });

/**
 * Sends one order to its bank (the worker). Already acknowledged or with a result: nothing. A 2xx
 * marks it SENT; any other answer or a network error records the attempt and pushes `dueAt` back
 * (the sweeper re-sends it then). Only a failure to record throws (the queue redelivers).
 */
export async function deliverPayment(paymentId: string, log: Logger): Promise<void> {
  const first = await getPayment(paymentId);
  if (!first) return log.warn('unknown payment order', { paymentId });
  // claim the send first (shared/outbox.ts): an order is sent once per attempt; a worker that dies
  // mid-send leaves the claim to expire, and the sweeper re-sends it after `dueAt`, past the claim's end
  const order = await claimSend({
    read: () => getPayment(paymentId),
    pending: (p) => p.delivery !== 'SENT' && p.status === 'ORDERED',
    leaseMs: SEND_LEASE_MS,
    write: (claimed, read) => putPaymentItem(claimed, read),
  });
  if (!order) return;
  const bank = await getBank(order.bankCode);
  if (!bank) throw new Error(`bank ${order.bankCode} is not registered`);
  const url = new URL(`${bank.apiBaseUrl.replace(/\/+$/, '')}/v1/payments`);
  const rawBody = JSON.stringify(paymentMessage(order));
  let acknowledged = false;
  let why = '';
  try {
    const secret = await bankSecret(bank);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedHeaders(centerCode(), secret, { method: 'POST', path: url.pathname, rawBody }) },
      body: rawBody,
      signal: AbortSignal.timeout(BANK_TIMEOUT_MS),
    });
    await res.text().catch(() => '');
    acknowledged = res.ok;
    why = `HTTP ${res.status}`;
  } catch (error) {
    why = (error as Error).message;
  }
  await commit({
    plan: async () => {
      const p = await getPayment(paymentId);
      if (!p || p.delivery === 'SENT') return { items: [], body: null };
      const at = now();
      const rest = released(p);
      const next: PaymentOrder = acknowledged
        ? { ...rest, delivery: 'SENT', sentAt: at.toISOString(), dueAt: undefined }
        : { ...rest, attempts: p.attempts + 1, dueAt: isoAfter(at, resendDelayMs(p.attempts + 1)) };
      return { items: [putPaymentItem(next, p)], body: null };
    },
  });
  if (!acknowledged) log.warn('payment order not acknowledged; re-sent with back-off', { paymentId, bank: order.bankCode, why });
}

/** The sweeper: re-sends every unacknowledged order whose `dueAt` passed (a lost message, a refused send). */
export async function sweepPayments(log: Logger): Promise<{ swept: number }> {
  let swept = 0;
  let start: Record<string, unknown> | undefined;
  for (let page = 0; page < 10; page++) {
    const { ids, lastKey } = await pendingPayments(now(), 100, start);
    for (const id of ids) {
      try {
        await dispatchPayment(id);
        swept++;
      } catch (error) {
        log.warn('re-sending a payment order failed; next sweep', { paymentId: id, error });
      }
    }
    if (!lastKey) break;
    start = lastKey;
  }
  return { swept };
}
