// HTTP entry point of the settlement domain (资金结算, api.md "Banks and settlement"). Thin: bank
// routes verify the X-HPF-Bank signature over the raw body first (401 SIGNATURE_INVALID, nothing
// recorded), then parse it. Suspense items and payment orders belong to no branch: city-level staff
// and auditors read them, city-level staff assign (a branch clerk is 403).
import * as z from '../../shared/zod.ts';
import { httpHandler, parseJsonText, route, zodErrors, type Request } from '../../shared/http.ts';
import { DomainError } from '../../shared/errors.ts';
import { assignBody, bankBody, bankCodeParam, notificationBody, paymentResultBody, paymentsQuery, reconciliationBody, suspenseQuery } from './schemas.ts';
import { readReconciliation, startReconciliation } from './usecases/reconciliations.ts';
import { registerBank, verifyBankCall, type SignedCall } from './usecases/banks.ts';
import { receiveNotification } from './usecases/notifications.ts';
import { paymentsByStatus, receivePaymentResult } from './usecases/results.ts';
import { assignSuspense, openSuspense } from './usecases/suspense.ts';

const signedCall = (req: Request<unknown, unknown>): SignedCall => ({ method: req.event.requestContext.http.method, path: req.event.rawPath, headers: req.headers, rawBody: req.rawBody });

/** Parses a bank's body (as strictly as the kernel parses any body) after its signature was verified. */
function parseSigned<T>(schema: z.ZodMiniType<T>, req: Request<unknown, unknown>): T {
  const parsed = schema.safeParse(parseJsonText(req.rawBody, req.headers['content-type'] ?? '') ?? {});
  if (!parsed.success) throw new DomainError('VALIDATION_FAILED', 'The request body is invalid / 请求参数有误', zodErrors(parsed.error, 'body'));
  return parsed.data;
}

export const handler = httpHandler('settlement', {
  'PUT /v1/banks/{bankCode}': route({
    summary: 'Register or update a commissioned bank and its special accounts (201 created, 200 updated); the shared secret is never returned',
    roles: ['admin'],
    body: bankBody,
    handle: async (req) => {
      const code = bankCodeParam.safeParse(req.params.bankCode);
      if (!code.success) throw new DomainError('VALIDATION_FAILED', 'Invalid bank code / 银行代码无效', zodErrors(code.error, 'path.bankCode'));
      return registerBank(code.data, req.body);
    },
  }),
  'POST /v1/bank/notifications': route({
    summary: "A bank's signed arrival notice (到账通知) → 200 { matched: { kind, id } | null } (same notificationId → same answer)",
    auth: 'partner',
    handle: async (req) => {
      const call = await verifyBankCall(signedCall(req), req.log);
      return { status: 200, body: await receiveNotification(call, parseSigned(notificationBody, req), req.log) };
    },
  }),
  'POST /v1/bank/payment-results': route({
    summary: "A bank's signed result of our payment order → 200 { paymentId, status }; the same again 200; a contradicting one 409; unknown or another bank's 404",
    auth: 'partner',
    handle: async (req) => {
      const call = await verifyBankCall(signedCall(req), req.log);
      return { status: 200, body: await receivePaymentResult(call, parseSigned(paymentResultBody, req)) };
    },
  }),
  'GET /v1/bank/payments': route({
    summary: 'Payment orders by status (ORDERED by default), oldest first (city-level staff, auditors)',
    roles: ['staff', 'auditor'],
    query: paymentsQuery,
    handle: async (req) => ({ status: 200, body: await paymentsByStatus(req.caller, req.query) }),
  }),
  'GET /v1/bank/suspense': route({
    summary: 'Open suspense items (待查款项), oldest first (city-level staff, auditors)',
    roles: ['staff', 'auditor'],
    query: suspenseQuery,
    handle: async (req) => ({ status: 200, body: await openSuspense(req.caller, req.query) }),
  }),
  'POST /v1/bank/suspense/{itemId}/assign': route({
    summary: 'Settle a remittance with an unmatched arrival ({ remittanceId }) or return it to the payer ({ refund: true, note }: a payment order) (city-level staff)',
    roles: ['staff'],
    body: assignBody,
    idempotent: { status: 200 },
    handle: async (req) => assignSuspense(req.caller, req.params.itemId, req.body, req.idempotency, req.log),
  }),
  // Reconciliation runs synchronously in this function for now (a city has a few special accounts): the 202 follows the run.
  'POST /v1/bank/reconciliations': route({
    summary: "Reconcile every special account's bank statement of a day against our notices and settled payments (auditor) → 202 { runId }; every difference a CRITICAL BANK_RECONCILIATION finding",
    roles: ['auditor'],
    body: reconciliationBody,
    idempotent: { status: 202 },
    handle: async (req) => startReconciliation(req.caller, req.body.date, req.idempotency, req.log),
  }),
  'GET /v1/bank/reconciliations/{runId}': route({
    summary: 'A bank reconciliation run: { runId, date, status, accounts: [{ bankCode, accountNo, lines, matched, differences }], findings } (auditors, city-level staff)',
    roles: ['staff', 'auditor'],
    handle: async (req) => ({ status: 200, body: await readReconciliation(req.caller, req.params.runId) }),
  }),
});
