// The HTTP stack of every domain's entry point (middy): correlation-id logging, routing on the API
// Gateway routeKey, authentication and role checks, JSON parsing with size and content-type limits,
// zod validation, the Idempotency-Key contract, and one error handler that renders RFC 9457
// problem documents. A stack trace or internal name never leaves this file.
import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createHash } from 'node:crypto';
import type * as z from './zod.ts';
import { callerFromClaims, callerFromEvent, idempotencyScope, missingClaim, type Caller, type Role } from './auth.ts';
import { bearerToken, verifyBearer } from './bearer.ts';
import { DomainError, problem, type FieldError, type Problem, type ProblemCode } from './errors.ts';
import { createLogger, type Logger } from './log.ts';
import { emitMetric } from './metrics.ts';
import { annotate, traceHandler } from './trace.ts';
import type { IdempotencyContext, Outcome } from './tx.ts';
import { canonicalJson } from './canonical.ts';
import { duplicateKeyPath } from './json.ts';
import { forbiddenCharacterIn } from './text.ts';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export const MAX_BODY_BYTES = 256 * 1024;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;

export interface Request<B, Q> {
  body: B;
  query: Q;
  params: Record<string, string>;
  /** The authenticated caller (jwt routes; jwt-or-partner routes when a token came). */
  caller: Caller;
  /** Set on idempotent routes: pass it to `commit`. */
  idempotency: IdempotencyContext | undefined;
  headers: Record<string, string>;
  rawBody: string;
  event: HttpEvent;
  log: Logger;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A non-JSON answer (a certificate's PDF): sent as these bytes with this content type (base64 through API Gateway). */
  binary?: { bytes: Uint8Array; contentType: string };
}

/** Whether the request asks for `type` (an Accept header naming it, e.g. application/pdf) rather than JSON. */
export function accepts(headers: Record<string, string>, type: string): boolean {
  return (headers.accept ?? '')
    .split(',')
    .map((part) => part.split(';')[0].trim().toLowerCase())
    .includes(type.toLowerCase());
}

export interface RouteSpec<B = unknown, Q = unknown> {
  /** One line for the OpenAPI document: "English / 中文". */
  summary?: string;
  /** A few sentences for the OpenAPI document (English, then Chinese): what the route does. Who may
   * call it, its idempotency and its error responses are derived by the generator (infra/openapi.ts). */
  description?: string;
  /** Problem codes this route answers beyond those derived from its spec (VALIDATION_FAILED,
   * UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, the idempotency codes, CONFLICT, INTERNAL): e.g. INVALID_STATE. */
  errors?: readonly ProblemCode[];
  /** Documentation only: a valid request (body; query string) and a success answer. */
  example?: { body?: unknown; query?: Record<string, string>; response?: unknown };
  /** `jwt` (default): a caller with one of `roles` is required. `partner`/`none`: no JWT (the handler
   * verifies partners itself). `jwt-or-partner`: a bearer token is verified here when present
   * (`req.caller`, `roles` apply); without one the handler verifies the partner signature. */
  auth?: 'jwt' | 'partner' | 'jwt-or-partner' | 'none';
  roles?: readonly Role[];
  body?: z.ZodMiniType<B>;
  query?: z.ZodMiniType<Q>;
  /** Requires Idempotency-Key; `status` is what a first success answers (and every replay). */
  idempotent?: { status: number };
  handle: (req: Request<B, Q>) => Promise<Reply | Outcome<unknown>>;
}

/** Declares a route with its types inferred from the schemas. */
export const route = <B = undefined, Q = Record<string, string>>(spec: RouteSpec<B, Q>): RouteSpec<B, Q> => spec;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return { statusCode: status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) };
}

export function problemResponse(p: Problem, headers: Record<string, string> = {}): HttpResult {
  return { statusCode: p.status, headers: { 'content-type': 'application/problem+json; charset=utf-8', ...headers }, body: JSON.stringify(p) };
}

export function zodErrors(err: z.core.$ZodError, prefix = ''): FieldError[] {
  return err.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'), message: i.message }));
}

/** Canonical JSON (sorted keys) for request hashing. */
export { canonicalJson } from './canonical.ts';

const isEmptyObject = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;

const isOutcome = (r: Reply | Outcome<unknown>): r is Outcome<unknown> => 'replayed' in r;

function rawBodyOf(event: HttpEvent): string {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) throw new DomainError('VALIDATION_FAILED', `Request body larger than ${MAX_BODY_BYTES} bytes / 请求体过大`);
  return raw;
}

function parseBody(event: HttpEvent): { raw: string; value: unknown } {
  const raw = rawBodyOf(event);
  return { raw, value: parseJsonText(raw, event.headers?.['content-type'] ?? event.headers?.['Content-Type'] ?? '') };
}

/**
 * A request body's JSON, as strictly as every route reads it (content type, UTF-8, no forbidden
 * character, no duplicate key, bounded depth); undefined for an empty body. Signed routes call it
 * themselves once the signature over the raw bytes was verified: a bad signature is a 401 whatever
 * the body holds.
 */
export function parseJsonText(raw: string, contentType: string): unknown {
  if (raw.trim() === '') return undefined;
  const type = contentType.toLowerCase();
  if (!/^application\/(problem\+)?json\b/.test(type)) throw new DomainError('VALIDATION_FAILED', 'Content-Type must be application/json / 请求须为 JSON', [{ path: 'content-type', message: 'expected application/json' }]);
  // JSON is UTF-8 (RFC 8259): a body declared in another charset would be read as what it is not
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)"?/.exec(type)?.[1];
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw new DomainError('VALIDATION_FAILED', 'JSON bodies must be UTF-8 / 请求体须为 UTF-8 编码', [{ path: 'content-type', message: `charset ${charset} is not accepted; use utf-8` }]);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new DomainError('VALIDATION_FAILED', 'Malformed JSON body / JSON 格式错误', [{ path: '', message: 'malformed JSON' }]);
  }
  const bad = forbiddenCharacterPath(value);
  if (bad !== undefined) throw new DomainError('VALIDATION_FAILED', 'Control, direction-override and unpaired surrogate characters are not allowed in text / 文本中不得含控制字符、方向控制符或无效字符', [{ path: bad, message: 'character not allowed' }]);
  const duplicate = duplicateKeyPath(raw);
  if (duplicate !== undefined) throw new DomainError('VALIDATION_FAILED', 'A JSON object names the same field twice / JSON 字段重复', [{ path: duplicate, message: 'duplicate key' }]);
  return value;
}

/** No request body of this API nests deeper; deeper is refused before anything walks it. */
export const MAX_JSON_DEPTH = 32;

/** The path of the first string (key or value) holding a character no text may hold (iterative). */
function forbiddenCharacterPath(root: unknown): string | undefined {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: root, path: '', depth: 0 }];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (forbiddenCharacterIn(v)) return path;
    } else if (v && typeof v === 'object') {
      if (depth >= MAX_JSON_DEPTH) throw new DomainError('VALIDATION_FAILED', `JSON nested deeper than ${MAX_JSON_DEPTH} levels / JSON 嵌套过深`, [{ path, message: 'too deep' }]);
      for (const [k, x] of Object.entries(v)) {
        if (forbiddenCharacterIn(k)) return path;
        stack.push({ v: x, path: path ? `${path}.${k}` : k, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/**
 * Path parameters are identifiers: bounded, printable, and never a dot segment (`.`, `..`), which
 * API Gateway passes on as a value and a file-system-minded proxy would resolve.
 */
const MAX_PATH_PARAM = 128;
function checkPathParameters(params: Record<string, string | undefined>) {
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value.length === 0 || value.length > MAX_PATH_PARAM || forbiddenCharacterIn(value) || /[\u0000-\u0020\u007f/\\]/.test(value) || value === '.' || value === '..') {
      throw new DomainError('VALIDATION_FAILED', `Invalid path parameter ${name} / 路径参数无效`, [{ path: `path.${name}`, message: `1–${MAX_PATH_PARAM} printable characters, not . or ..` }]);
    }
  }
}

/** Deny by default: a staff token without `branch`, a unit token without `unitId` acts nowhere. */
function refuseMissingClaim(caller: Caller) {
  const claim = missingClaim(caller);
  if (claim) throw new DomainError('FORBIDDEN', `The token lacks the ${claim} claim its role needs / 令牌缺少该角色所需的 ${claim} 声明`);
}

/**
 * The entry point of one domain's HTTP function. `routes` maps API Gateway route keys
 * (`POST /v1/units`) to specs; the topology lists the same keys (a test checks both agree).
 */
export function httpHandler(service: string, routes: Record<string, RouteSpec<any, any>>) {
  const baseLog = createLogger(service);
  const core = async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? 'local';
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v ?? '']));
    const log = baseLog.child({ requestId, routeKey: event.routeKey, idempotencyKey: headers['idempotency-key'] });
    annotate({ routeKey: event.routeKey, idempotencyKey: headers['idempotency-key'] });
    try {
      const spec = routes[event.routeKey];
      if (!spec) throw new DomainError('NOT_FOUND', `No route ${event.requestContext?.http?.method ?? ''} ${event.rawPath ?? ''} / 路由不存在`);
      const auth = spec.auth ?? 'jwt';
      let caller: Caller | undefined;
      if (auth === 'jwt') {
        caller = callerFromEvent(event);
        if (!caller) throw new DomainError('UNAUTHENTICATED', 'A valid bearer token is required / 需要有效的令牌');
        if (spec.roles && !spec.roles.includes(caller.role)) throw new DomainError('FORBIDDEN', 'Not allowed for this role / 当前角色无权办理');
        refuseMissingClaim(caller);
      } else if (auth === 'jwt-or-partner' && headers.authorization) {
        const token = bearerToken(headers.authorization);
        caller = token ? callerFromClaims(await verifyBearer(token)) : undefined;
        if (!caller) throw new DomainError('UNAUTHENTICATED', 'A valid bearer token is required / 需要有效的令牌');
        if (spec.roles && !spec.roles.includes(caller.role)) throw new DomainError('FORBIDDEN', 'Not allowed for this role / 当前角色无权办理');
        refuseMissingClaim(caller);
      }
      checkPathParameters(event.pathParameters ?? {});
      // a signed call (partner, bank) is verified by its handler over the raw bytes before anything
      // reads them: the kernel only bounds its size here
      const signed = auth === 'partner' || (auth === 'jwt-or-partner' && !caller);
      const { raw, value } = signed ? { raw: rawBodyOf(event), value: undefined } : parseBody(event);
      let body: unknown = undefined;
      if (spec.body) {
        const parsed = spec.body.safeParse(value === undefined ? {} : value);
        if (!parsed.success) throw new DomainError('VALIDATION_FAILED', 'The request body is invalid / 请求参数有误', zodErrors(parsed.error, 'body'));
        body = parsed.data;
      } else if (value !== undefined && auth !== 'partner' && !isEmptyObject(value)) {
        // a route without a body accepts none or `{}` (what most clients send on a bodiless POST)
        throw new DomainError('VALIDATION_FAILED', 'This route takes no body / 该接口不接受请求体', [{ path: 'body', message: 'expected no body or {}' }]);
      }
      let query: unknown = event.queryStringParameters ?? {};
      if (spec.query) {
        const parsed = spec.query.safeParse(query);
        if (!parsed.success) throw new DomainError('VALIDATION_FAILED', 'Invalid query parameters / 查询参数有误', zodErrors(parsed.error, 'query'));
        query = parsed.data;
      }
      let idempotency: IdempotencyContext | undefined;
      if (spec.idempotent) {
        const key = headers['idempotency-key'];
        if (!key) throw new DomainError('IDEMPOTENCY_KEY_MISSING', 'Idempotency-Key header is required / 缺少幂等键');
        if (!IDEMPOTENCY_KEY.test(key)) throw new DomainError('VALIDATION_FAILED', 'Idempotency-Key must be 1–128 of [A-Za-z0-9_.:-]', [{ path: 'Idempotency-Key', message: 'invalid format' }]);
        const hash = createHash('sha256').update(`${event.requestContext.http.method}\n${event.rawPath}\n${canonicalJson(spec.body || !isEmptyObject(value) ? (value ?? null) : null)}`).digest('hex');
        // scoped by who calls AND what the token says they are: a token of the same `sub` with other
        // claims (another branch) never meets the stored answer of a record it may not see
        idempotency = { scope: caller ? idempotencyScope(caller) : `partner:${headers['x-hpf-center'] ?? 'anonymous'}`, key, hash, status: spec.idempotent.status };
      }
      const result = await spec.handle({ body, query, params: (event.pathParameters ?? {}) as Record<string, string>, caller: caller as Caller, idempotency, headers, rawBody: raw, event, log });
      if (isOutcome(result)) {
        if (result.replayed) {
          log.info('idempotent replay');
          emitMetric('IdempotentReplays', 1, { service });
        }
        return json(result.status, result.body, result.replayed ? { 'idempotency-replayed': 'true' } : {});
      }
      if (result.status === 204) return { statusCode: 204, headers: result.headers ?? {} };
      if (result.binary) {
        return { statusCode: result.status, headers: { 'content-type': result.binary.contentType, 'content-length': String(result.binary.bytes.byteLength), ...result.headers }, body: Buffer.from(result.binary.bytes).toString('base64'), isBase64Encoded: true };
      }
      return json(result.status, result.body ?? {}, result.headers);
    } catch (err) {
      if (err instanceof DomainError) {
        log.info('refused', { code: err.code, detail: err.message });
        if (err.code === 'CONFLICT') emitMetric('WriteConflicts', 1, { service });
        return problemResponse(problem(err.code, err.message, err.errors));
      }
      log.error('unexpected error', { error: err });
      return problemResponse(problem('INTERNAL', 'An internal error occurred; it has been logged / 系统内部错误', []));
    }
  };
  // the route keys are exposed so that a test can hold them against the topology
  return Object.assign(middy<HttpEvent, HttpResult>().use(traceHandler()).handler(core), { routeKeys: Object.keys(routes), routeSpecs: routes });
}
