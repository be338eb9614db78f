// HTTP entry point of the interprovincial domain (跨省通办, api.md). Thin: partner routes verify the
// signature over the raw body first (401 SIGNATURE_INVALID, nothing recorded), then parse the body.
// GET /v1/interprovincial/requests/{trackingId} (topology `jwt-or-partner`): a partner reads its own
// request with a signed call; city-level staff and auditors read any with their token.
import * as z from '../../shared/zod.ts';
import { httpHandler, parseJsonText, route, zodErrors, type Request } from '../../shared/http.ts';
import { DomainError } from '../../shared/errors.ts';
import { callbackBody, centerCodeParam, inboundBody, listRequestsQuery, partnerBody, transferBody } from './schemas.ts';
import { registerPartner, verifyPartnerCall, verifyPartnerRead, type SignedCall } from './usecases/partners.ts';
import { listRequests, readRequestAsPartner, readRequestAsStaff, receiveRequest } from './usecases/inbound.ts';
import { cancelTransfer, readTransfer, receiveCallback, requestTransfer } from './usecases/transfers.ts';

const signedCall = (req: Request<unknown, unknown>): SignedCall => ({ method: req.event.requestContext.http.method, path: req.event.rawPath, headers: req.headers, rawBody: req.rawBody });

/** Parses a partner's body (as strictly as the kernel parses any body) after its signature was verified. */
function parseSigned<T>(schema: z.ZodMiniType<T>, req: Request<unknown, unknown>): T {
  const parsed = schema.safeParse(parseJsonText(req.rawBody, req.headers['content-type'] ?? '') ?? {});
  if (!parsed.success) throw new DomainError('VALIDATION_FAILED', 'The request body is invalid / 请求参数有误', zodErrors(parsed.error, 'body'));
  return parsed.data;
}

export const handler = httpHandler('interprovincial', {
  'PUT /v1/interprovincial/partners/{centerCode}': route({
    summary: "Register a partner center / 登记合作中心",
    description: "Register or update a partner center (201 created, 200 updated); the shared secret is never returned / 登记或更新跨省合作中心。",
    example: {"body": {"name": "成都住房公积金管理中心", "callbackUrl": "https://partner.example.cn/callbacks", "apiBaseUrl": "https://partner.example.cn", "sharedSecret": "partner-secret-0001", "settlementAccount": "6222020300009876543"}},
    roles: ['admin'],
    body: partnerBody,
    handle: async (req) => {
      const code = centerCodeParam.safeParse(req.params.centerCode);
      if (!code.success) throw new DomainError('VALIDATION_FAILED', 'Invalid center code / 中心代码无效', zodErrors(code.error, 'path.centerCode'));
      return registerPartner(code.data, req.body);
    },
  }),
  'POST /v1/interprovincial/requests': route({
    summary: "A partner's request / 合作中心业务请求",
    description: "A partner's signed request { requestId, type, payload } → 202 { trackingId, status } (same requestId → same trackingId) / 合作中心的签名请求，结果回调通知。",
    example: {"body": {"requestId": "R-0001", "type": "BALANCE_INQUIRY", "payload": {"idNumber": "510104199001010078", "name": "张三"}}, "response": {"trackingId": "TRK0001", "status": "RECEIVED"}},
    errors: ["INVALID_STATE", "POLICY_VIOLATION"],
    auth: 'partner',
    handle: async (req) => {
      const call = await verifyPartnerCall(signedCall(req), req.log);
      return receiveRequest(call, parseSigned(inboundBody, req), req.log);
    },
  }),
  'GET /v1/interprovincial/requests/{trackingId}': route({
    summary: "A partner request / 查询跨省请求",
    description: "A request: its partner (signed) or city-level staff and auditors (bearer token) / 跨省请求状态与结果。",
    auth: 'jwt-or-partner',
    roles: ['staff', 'auditor'],
    handle: async (req) => {
      if (req.caller) return { status: 200, body: await readRequestAsStaff(req.caller, req.params.trackingId) };
      const partner = await verifyPartnerRead(signedCall(req), req.log);
      return { status: 200, body: await readRequestAsPartner(partner.centerCode, req.params.trackingId) };
    },
  }),
  'GET /v1/interprovincial/requests': route({
    summary: "Partner requests / 跨省请求列表",
    description: "Requests received from partners, by status (city-level staff, auditors) / 按状态列出收到的跨省请求。",
    example: {"query": {"status": "RECEIVED"}},
    roles: ['staff', 'auditor'],
    query: listRequestsQuery,
    handle: async (req) => ({ status: 200, body: await listRequests(req.caller, req.query) }),
  }),
  'POST /v1/interprovincial/transfer-requests': route({
    summary: "Request a transfer in / 发起转入",
    description: "Ask a partner to transfer a member's balance here → 202 { transferId, status: QUEUED } / 向转出地中心发起转移接续请求。",
    errors: ["INVALID_STATE", "POLICY_VIOLATION"],
    example: {"body": {"idNumber": "11010519491231002X", "name": "张三", "fromCenter": "CD01", "toAccountNo": "330100000125"}, "response": {"transferId": "TR0001", "status": "QUEUED"}},
    roles: ['staff'],
    body: transferBody,
    idempotent: { status: 202 },
    handle: async (req) => requestTransfer(req.caller, req.body, req.idempotency, req.log),
  }),
  'POST /v1/interprovincial/transfer-requests/{transferId}/cancel': route({
    summary: "Cancel a transfer / 撤回转入",
    description: "Withdraw a transfer we requested while the partner has not accepted it: a signed TRANSFER_CANCEL → 202 { transferId, status: CANCELLING }; CANCELLED once they confirm; a COMPLETED transfer is 409 (city-level staff) / 对方受理前撤回转入请求。",
    errors: ["INVALID_STATE"],
    roles: ['staff'],
    idempotent: { status: 202 },
    handle: async (req) => cancelTransfer(req.caller, req.params.transferId, req.idempotency, req.log),
  }),
  'GET /v1/interprovincial/transfer-requests/{transferId}': route({
    summary: "A transfer we requested / 查询转入",
    description: "A transfer we requested: QUEUED, SENT, CANCELLING, CANCELLED, COMPLETED (amount) or REJECTED (rejection) / 转入请求状态。",
    roles: ['staff', 'auditor'],
    handle: async (req) => ({ status: 200, body: await readTransfer(req.caller, req.params.transferId) }),
  }),
  'POST /v1/interprovincial/callbacks': route({
    summary: "A partner's outcome / 合作中心结果回调",
    description: "A partner's signed outcome of our request; a COMPLETED transfer is credited exactly once → 200 / 合作中心回调结果，转入金额只入账一次。",
    example: {"body": {"trackingId": "THEIRS-0001", "requestId": "TR0001", "type": "TRANSFER_REQUEST", "status": "COMPLETED", "result": {"amount": "48000.00", "interest": "120.00", "closedOn": "2026-11-30"}}},
    errors: ["INVALID_STATE", "NOT_FOUND"],
    auth: 'partner',
    handle: async (req) => {
      const call = await verifyPartnerCall(signedCall(req), req.log);
      return { status: 200, body: await receiveCallback(call, parseSigned(callbackBody, req), req.log) };
    },
  }),
});
