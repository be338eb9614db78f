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
    summary: "Register a commissioned bank / 登记委托银行",
    description: "Register or update a commissioned bank and its special accounts (201 created, 200 updated); the shared secret is never returned / 登记或更新委托银行及专户。",
    example: {"body": {"name": "中国工商银行杭州分行", "apiBaseUrl": "https://bank.example.cn/hpf", "sharedSecret": "bank-secret-000000001", "accounts": [{"accountNo": "6222000011112222", "purpose": "COLLECTION", "branches": ["HZ-SC"]}, {"accountNo": "6222000011113333", "purpose": "PAYMENT"}]}},
    roles: ['admin'],
    body: bankBody,
    handle: async (req) => {
      const code = bankCodeParam.safeParse(req.params.bankCode);
      if (!code.success) throw new DomainError('VALIDATION_FAILED', 'Invalid bank code / 银行代码无效', zodErrors(code.error, 'path.bankCode'));
      return registerBank(code.data, req.body);
    },
  }),
  'POST /v1/bank/notifications': route({
    summary: "A bank's arrival notice / 到账通知",
    description: "A bank's signed arrival notice (到账通知) → 200 { matched: { kind, id } | null } (same notificationId → same answer) / 银行到账通知，自动匹配或挂账。",
    example: {"body": {"notificationId": "N-20261130-0001", "accountNo": "6222000011112222", "amount": "23040.00", "valueDate": "2026-11-30", "payerName": "杭州示例科技有限公司", "payerAccount": "6222020200112233", "reference": "RM0001"}, "response": {"matched": {"kind": "REMITTANCE", "id": "RM0001"}}},
    errors: ["INVALID_STATE", "POLICY_VIOLATION"],
    auth: 'partner',
    handle: async (req) => {
      const call = await verifyBankCall(signedCall(req), req.log);
      return { status: 200, body: await receiveNotification(call, parseSigned(notificationBody, req), req.log) };
    },
  }),
  'POST /v1/bank/payment-results': route({
    summary: "A bank's payment result / 支付结果通知",
    description: "A bank's signed result of our payment order → 200 { paymentId, status }; the same again 200; a contradicting one 409; unknown or another bank's 404 / 银行支付结果，失败时资金原路退回。",
    example: {"body": {"paymentId": "PAY0001", "status": "SETTLED", "bankRef": "BR-20261130-0001", "settledAt": "2026-11-30T08:00:00Z"}},
    errors: ["INVALID_STATE"],
    auth: 'partner',
    handle: async (req) => {
      const call = await verifyBankCall(signedCall(req), req.log);
      return { status: 200, body: await receivePaymentResult(call, parseSigned(paymentResultBody, req)) };
    },
  }),
  'GET /v1/bank/payments': route({
    summary: "Payment orders / 支付指令",
    description: "Payment orders by status (ORDERED by default), oldest first (city-level staff, auditors) / 按状态列出支付指令。",
    example: {"query": {"status": "ORDERED"}},
    roles: ['staff', 'auditor'],
    query: paymentsQuery,
    handle: async (req) => ({ status: 200, body: await paymentsByStatus(req.caller, req.query) }),
  }),
  'GET /v1/bank/suspense': route({
    summary: "Suspense items / 待查款项",
    description: "Open suspense items (待查款项), oldest first (city-level staff, auditors) / 未匹配的到账款项。",
    roles: ['staff', 'auditor'],
    query: suspenseQuery,
    handle: async (req) => ({ status: 200, body: await openSuspense(req.caller, req.query) }),
  }),
  'POST /v1/bank/suspense/{itemId}/assign': route({
    summary: "Assign a suspense item / 处理待查款项",
    description: "Settle a remittance with an unmatched arrival ({ remittanceId }) or return it to the payer ({ refund: true, note }: a payment order) (city-level staff) / 将待查款项匹配汇缴或退回付款人。",
    errors: ["INVALID_STATE", "POLICY_VIOLATION"],
    example: {"body": {"refund": true, "note": "退回付款人"}},
    roles: ['staff'],
    body: assignBody,
    idempotent: { status: 200 },
    handle: async (req) => assignSuspense(req.caller, req.params.itemId, req.body, req.idempotency, req.log),
  }),
  // Reconciliation runs synchronously in this function for now (a city has a few special accounts): the 202 follows the run.
  'POST /v1/bank/reconciliations': route({
    summary: "Reconcile with the banks / 银行对账",
    description: "Reconcile every special account's bank statement of a day against our notices and settled payments (auditor) → 202 { runId }; every difference a CRITICAL BANK_RECONCILIATION finding / 按日与银行对账，差异生成稽核发现。",
    errors: ["INVALID_STATE", "POLICY_VIOLATION"],
    example: {"body": {"date": "2026-11-30"}, "response": {"runId": "BR0001"}},
    roles: ['auditor'],
    body: reconciliationBody,
    idempotent: { status: 202 },
    handle: async (req) => startReconciliation(req.caller, req.body.date, req.idempotency, req.log),
  }),
  'GET /v1/bank/reconciliations/{runId}': route({
    summary: "A reconciliation run / 对账结果",
    description: "A bank reconciliation run: { runId, date, status, accounts: [{ bankCode, accountNo, lines, matched, differences }], findings } (auditors, city-level staff) / 对账运行结果。",
    roles: ['staff', 'auditor'],
    handle: async (req) => ({ status: 200, body: await readReconciliation(req.caller, req.params.runId) }),
  }),
});
