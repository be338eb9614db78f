// Generates the OpenAPI 3.1 document from the topology's routes and each route's zod schemas (the
// same schemas the handlers validate with). `npm run openapi` writes functions/supervision/openapi.json,
// which the supervision function serves at GET /v1/openapi.json; a test fails if the file is stale.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from '../shared/zod.ts';
import { functions, routes, routeKey, type Domain, type RouteDef } from './topology.ts';
import { problem, problemCodes, type ProblemCode } from '../shared/errors.ts';
import type { RouteSpec } from '../shared/http.ts';
import { callbackBody, inboundBody } from '../functions/interprovincial/schemas.ts';
import { notificationBody, paymentResultBody } from '../functions/settlement/schemas.ts';

/** A signed route reads its body only once the signature over the raw bytes is verified (the kernel
 * never parses it, so its spec has no `body`): the document takes the schema the handler applies. */
export const signedBodies: Record<string, z.ZodMiniType> = {
  'POST /v1/interprovincial/requests': inboundBody,
  'POST /v1/interprovincial/callbacks': callbackBody,
  'POST /v1/bank/notifications': notificationBody,
  'POST /v1/bank/payment-results': paymentResultBody,
};

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OPENAPI_FILE = join(root, 'functions', 'supervision', 'openapi.json');

const jsonSchema = (schema: z.ZodMiniType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return rest;
};

const problemSchema = {
  type: 'object',
  description: 'An RFC 9457 problem document: every 4xx/5xx answer of this API / 所有错误应答（RFC 9457）',
  required: ['type', 'title', 'status', 'code', 'detail', 'errors'],
  properties: {
    type: { type: 'string', description: 'A URI naming the problem type' },
    title: { type: 'string', description: "The code's fixed title" },
    status: { type: 'integer', description: 'The HTTP status' },
    code: { type: 'string', enum: Object.keys(problemCodes), description: 'The machine-readable code (api.md) / 错误码' },
    detail: { type: 'string', description: 'What went wrong with this request (English / 中文)' },
    errors: {
      type: 'array',
      description: 'The fields at fault (VALIDATION_FAILED); empty otherwise',
      items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string', description: 'e.g. body.amount, query.limit, path.loanId' }, message: { type: 'string' } } },
    },
  },
};

/** What each code means for a caller (the detail of an example; the response description). */
const codeMeaning: Record<ProblemCode, string> = {
  VALIDATION_FAILED: 'A field, the query, a path parameter, the body or the Idempotency-Key is malformed; `errors` names each field / 请求参数有误',
  IDEMPOTENCY_KEY_MISSING: 'The Idempotency-Key header is missing / 缺少幂等键',
  UNAUTHENTICATED: 'No valid bearer token / 需要有效的令牌',
  SIGNATURE_INVALID: 'The request signature, its timestamp or nonce is not valid / 签名无效',
  FORBIDDEN: "The caller's role or scope (branch, unit, own account) does not allow it / 无权办理",
  NOT_FOUND: 'No such record, or one the caller may not see / 记录不存在',
  INVALID_STATE: 'The record is not in a state that allows this / 当前状态不允许该操作',
  CONFLICT: 'The record was changed by another request at the same time, or a duplicate; try again / 并发修改或重复',
  INSUFFICIENT_BALANCE: 'The balance does not cover the amount / 余额不足',
  IDEMPOTENCY_KEY_REUSED: 'The Idempotency-Key was used before with another request / 幂等键已用于其他请求',
  POLICY_VIOLATION: "The center's policy (limits, rates, periods) refuses it / 违反政策规定",
  NOT_ELIGIBLE: 'The person or account does not qualify / 不符合条件',
  RATE_LIMITED: 'Too many requests; retry later / 请求过于频繁',
  INTERNAL: 'An internal error; it has been logged / 系统内部错误',
};

const roleNames: Record<string, string> = { member: 'members (缴存职工)', unit: "a unit's agents (单位经办人)", staff: 'staff (中心经办人员)', auditor: 'auditors (稽核人员)', admin: 'administrators (管理员)' };

/** The problem codes a route can answer: derived from its spec, plus its own (`errors`). */
export function routeErrors(r: RouteDef, spec: RouteSpec<unknown, unknown> | undefined): ProblemCode[] {
  const codes = new Set<ProblemCode>();
  const hasParams = /\{\w+\}/.test(r.path);
  const jwt = r.auth === 'jwt' || r.auth === 'jwt-or-partner';
  const signed = r.auth === 'partner' || r.auth === 'jwt-or-partner';
  // a path parameter is checked, a bodiless route refuses a body, a signed body is parsed after its signature
  if (spec?.body || spec?.query || hasParams || spec?.idempotent || signed || r.method !== 'GET') codes.add('VALIDATION_FAILED');
  if (spec?.idempotent) codes.add('IDEMPOTENCY_KEY_MISSING');
  if (jwt) codes.add('UNAUTHENTICATED');
  if (signed) codes.add('SIGNATURE_INVALID');
  if (jwt) codes.add('FORBIDDEN');
  if (hasParams) codes.add('NOT_FOUND');
  if (r.method !== 'GET') codes.add('CONFLICT');
  if (spec?.idempotent) codes.add('IDEMPOTENCY_KEY_REUSED');
  for (const c of spec?.errors ?? []) codes.add(c);
  codes.add('INTERNAL');
  return (Object.keys(problemCodes) as ProblemCode[]).filter((c) => codes.has(c));
}

/** A problem response per set of codes of one status: shared by every operation answering that set. */
const problemResponses: Record<string, unknown> = {};

function errorResponses(codes: ProblemCode[]) {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const c of codes) byStatus.set(problemCodes[c].status, [...(byStatus.get(problemCodes[c].status) ?? []), c]);
  return Object.fromEntries(
    [...byStatus.entries()].map(([status, list]) => {
      const name = `Problem.${list.join('.')}`;
      problemResponses[name] ??= {
        description: list.map((c) => `\`${c}\`: ${codeMeaning[c]}`).join('; '),
        content: {
          'application/problem+json': {
            schema: { allOf: [{ $ref: '#/components/schemas/Problem' }, { type: 'object', properties: { code: { type: 'string', enum: list } } }] },
            examples: Object.fromEntries(list.map((c) => [c, { $ref: `#/components/examples/${c}` }])),
          },
        },
      };
      return [String(status), { $ref: `#/components/responses/${name}` }];
    }),
  );
}

function callers(r: RouteDef, spec: RouteSpec<unknown, unknown> | undefined): string {
  const roles = spec?.roles?.length ? spec.roles.map((x) => roleNames[x] ?? x).join(', ') : 'any authenticated role';
  if (r.auth === 'none') return 'Who may call: anyone, without a token / 调用方：任何人，无需令牌.';
  if (r.auth === 'partner') return 'Who may call: a partner center or commissioned bank, with a signed request (see the hpfSignature scheme) / 调用方：签名的合作中心或委托银行.';
  if (r.auth === 'jwt-or-partner') return `Who may call: ${roles} with a bearer token, or the partner center concerned with a signed request / 调用方：持令牌的相应角色，或签名的合作中心.`;
  return `Who may call: ${roles}, with a bearer token; a token without the claim its role needs (branch, unitId, accountNo) is refused / 调用方：持有效令牌的上述角色.`;
}

function idempotency(r: RouteDef, spec: RouteSpec<unknown, unknown> | undefined): string {
  if (spec?.idempotent)
    return `Idempotent: send an \`Idempotency-Key\`; the same key with the same request answers the first answer again (status ${spec.idempotent.status}, header \`Idempotency-Replayed: true\`) and changes nothing; the same key with another request is 422 IDEMPOTENCY_KEY_REUSED / 幂等：须带幂等键，重放返回首次结果.`;
  if (r.method === 'GET') return 'Safe: it changes nothing and may be retried / 只读，可重试.';
  if (r.method === 'PUT' || r.method === 'DELETE') return 'Idempotent by its nature: repeating it leaves the same state / 重复调用结果相同.';
  if (r.auth === 'partner') return "Idempotent by the caller's own identifier in the body: the same one again gets the same answer / 以请求中的标识去重.";
  return 'Not idempotent: repeating it acts again / 非幂等.';
}

const tagDescriptions: Record<Domain, string> = {
  supervision: 'Supervision (监管): audits, findings, fund indicators, ratings, archives; platform health and this document',
  deposits: 'Collection (归集): units, employees, remittances, accounts, deposits, freezes, interest',
  withdrawals: 'Withdrawals (提取): applications, the review queue, decisions',
  loans: 'Loans (贷款): quotes, applications, review, disbursement, repayment, certificates',
  interprovincial: 'Inter-provincial handling (跨省通办): partner centers, signed requests, transfers',
  settlement: 'Banks and settlement (资金结算): commissioned banks, arrival notices, payment results, suspense, reconciliation',
  documents: 'Documents (材料): declared uploads and their downloads',
  certificates: 'Certificates (电子证明): public verification',
};

function operation(r: RouteDef, spec: RouteSpec<unknown, unknown> | undefined) {
  const params: Record<string, unknown>[] = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 128 } }));
  if (spec?.query) {
    const q = jsonSchema(spec.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {}))
      params.push({ name, in: 'query', required: (q.required ?? []).includes(name) && !(schema as { default?: unknown }).default, schema, ...(spec.example?.query?.[name] !== undefined ? { example: spec.example.query[name] } : {}) });
  }
  if (r.auth === 'partner' || r.auth === 'jwt-or-partner') {
    const required = r.auth === 'partner';
    const who = r.path.startsWith('/v1/bank/') ? { name: 'X-HPF-Bank', description: "The bank's code / 银行代码", example: 'ICBC-HZ' } : { name: 'X-HPF-Center', description: "The partner's center code / 合作中心代码", example: 'CD01' };
    params.push(
      { name: who.name, in: 'header', required, description: who.description, schema: { type: 'string' }, example: who.example },
      { name: 'X-HPF-Timestamp', in: 'header', required, description: 'Unix seconds, within 300 s of ours / 时间戳（秒）', schema: { type: 'string', pattern: '^[0-9]{1,12}$' }, example: '1795000000' },
      { name: 'X-HPF-Nonce', in: 'header', required, description: '16–64 characters, never reused / 随机串', schema: { type: 'string', minLength: 16, maxLength: 64 }, example: 'a1b2c3d4e5f60718293a4b5c' },
    );
  }
  if (spec?.idempotent) params.push({ name: 'Idempotency-Key', in: 'header', required: true, description: 'A key of the caller, unique per intended operation / 幂等键', schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' }, example: 'b7f3c2e0-5a1d-4c8e-9f2a-1d2e3f4a5b6c' });
  const security = r.auth === 'jwt' ? [{ bearer: [] }] : r.auth === 'partner' ? [{ hpfSignature: [] }] : r.auth === 'jwt-or-partner' ? [{ bearer: [] }, { hpfSignature: [] }] : [];
  const success = String(spec?.idempotent?.status ?? (r.method === 'DELETE' ? 204 : 200));
  const response = spec?.example?.response;
  const body = spec?.body ?? signedBodies[routeKey(r)];
  const summary = spec?.summary ?? `${r.method} ${r.path}`;
  return {
    operationId: `${r.method.toLowerCase()}${r.path.replace(/\{(\w+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    tags: [functions.find((f) => f.name === r.fn)!.domain],
    summary,
    description: [spec?.description ?? summary, callers(r, spec), idempotency(r, spec)].join('\n\n'),
    ...(params.length ? { parameters: params } : {}),
    ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(body), ...(spec?.example?.body !== undefined ? { example: spec.example.body } : {}) } } } } : {}),
    security,
    responses: {
      [success]: { description: 'Success / 成功', ...(success === '204' ? {} : { content: { 'application/json': { schema: {}, ...(response !== undefined ? { example: response } : {}) } } }) },
      ...errorResponses(routeErrors(r, spec)),
      '429': { $ref: '#/components/responses/Throttled' },
    },
  };
}

export async function buildOpenApi() {
  const specs = new Map<string, RouteSpec<unknown, unknown>>();
  for (const f of functions.filter((x) => x.kind === 'http')) {
    const mod = await import(pathToFileURL(join(root, f.entry)).href);
    for (const [key, spec] of Object.entries(mod[f.handler].routeSpecs as Record<string, RouteSpec<unknown, unknown>>)) specs.set(key, spec);
  }
  const paths: Record<string, Record<string, unknown>> = {};
  const tags = [...new Set(functions.filter((f) => f.kind === 'http').map((f) => f.domain))].map((name) => ({ name, description: tagDescriptions[name] }));
  for (const r of routes) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r, specs.get(routeKey(r)));
  return {
    openapi: '3.1.0',
    info: {
      title: 'HPF Cloud API',
      version: '1.0.0',
      description:
        'Housing Provident Fund (住房公积金) center API: collection, withdrawals, loans, supervision and inter-provincial handling (跨省通办). Money is a decimal string in yuan; errors are RFC 9457 problem documents (application/problem+json) whose `code` each operation lists. / 住房公积金中心接口：金额为以元计的十进制字符串，错误为 RFC 9457 问题文档。',
      license: { name: 'Proprietary: the center and its channel partners / 仅限中心及其渠道合作方', url: 'https://hpf.example.gov.cn/api/terms' },
      contact: { name: 'HPF Cloud API', url: 'https://hpf.example.gov.cn/api' },
    },
    tags,
    servers: [{ url: 'http://127.0.0.1:3000', description: 'local runtime' }],
    paths,
    components: {
      schemas: { Problem: problemSchema },
      // one example problem document per code, referenced by every operation that can answer it
      examples: Object.fromEntries(
        (Object.keys(problemCodes) as ProblemCode[]).filter((c) => Object.keys(problemResponses).some((name) => name.split('.').includes(c))).map((c) => [c, { summary: problemCodes[c].title, value: problem(c, codeMeaning[c], c === 'VALIDATION_FAILED' ? [{ path: 'body.amount', message: 'Invalid input' }] : []) }]),
      ),
      responses: {
        ...Object.fromEntries(Object.entries(problemResponses).sort(([x], [y]) => x.localeCompare(y))),
        // API Gateway's stage throttling (infra/aws/services-stack.ts API_THROTTLE) answers before any function
        Throttled: {
          description: "Throttled by the API gateway's stage limit before the request reached the center: `{\"message\":\"Too Many Requests\"}`, not a problem document; retry later with backoff / 网关限流，请稍后重试",
          content: { 'application/json': { schema: { type: 'object', properties: { message: { type: 'string' } } }, example: { message: 'Too Many Requests' } } },
        },
      },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'claims: sub, role (member|unit|staff|auditor|admin), accountNo, unitId, branch' },
        hpfSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-HPF-Signature',
          description: 'HMAC-SHA256 (hex) with the partner secret over METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nhex(SHA-256(body)); with X-HPF-Center, X-HPF-Timestamp, X-HPF-Nonce',
        },
      },
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.env.LOG_LEVEL ??= 'silent';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  writeFileSync(OPENAPI_FILE, JSON.stringify(await buildOpenApi(), null, 2) + '\n');
  console.log(`wrote ${OPENAPI_FILE}`);
}
