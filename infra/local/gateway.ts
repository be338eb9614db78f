// The local HTTP gateway: API Gateway HTTP API (payload format 2.0) on one machine. It matches the
// topology's routes, runs the JWT authoriser step on `jwt` routes, builds the event exactly as API
// Gateway would (claims as strings under requestContext.authorizer.jwt.claims) and invokes the function.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { routes, routeKey, type RouteDef } from '../topology.ts';
import { problem, type ProblemCode } from '../../shared/errors.ts';
import { verifyToken } from './jwt.ts';
import { bearerToken } from '../../shared/bearer.ts';

export type HttpInvoke = (fn: string, event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024; // API Gateway's own limit

interface CompiledRoute {
  def: RouteDef;
  regex: RegExp;
  params: string[];
}

const compiled: CompiledRoute[] = routes.map((def) => {
  const params: string[] = [];
  const pattern = def.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name) => {
    params.push(name);
    return '([^/]+)';
  });
  return { def, regex: new RegExp(`^${pattern}$`), params };
});

export function matchRoute(method: string, path: string): { def: RouteDef; pathParameters: Record<string, string>; malformed?: boolean } | undefined {
  // literal segments win over parameters, as in API Gateway
  const candidates = compiled
    .filter((c) => c.def.method === method && c.regex.test(path))
    .sort((a, b) => a.params.length - b.params.length);
  const c = candidates[0];
  if (!c) return undefined;
  const m = c.regex.exec(path)!;
  const pathParameters: Record<string, string> = {};
  try {
    c.params.forEach((p, i) => {
      pathParameters[p] = decodeURIComponent(m[i + 1]);
    });
  } catch {
    return { def: c.def, pathParameters, malformed: true }; // bad percent-encoding: 400, as API Gateway
  }
  return { def: c.def, pathParameters };
}

function sendProblem(res: ServerResponse, code: ProblemCode, detail: string, opts: { close?: boolean } = {}) {
  const p = problem(code, detail);
  // `close`: the request was not read to its end, so this connection cannot carry another request
  res.writeHead(p.status, { 'content-type': 'application/problem+json; charset=utf-8', ...(opts.close ? { connection: 'close' } : {}) });
  res.end(JSON.stringify(p));
}

/** An API Gateway HTTP API (payload 2.0) event for a matched route, claims as the JWT authoriser passes them. */
export function buildHttpEvent(x: {
  def: RouteDef;
  pathParameters: Record<string, string>;
  url: URL;
  /** The path exactly as the client sent it (WHATWG URL parsing resolves `..`; API Gateway does not). */
  rawPath?: string;
  headers: Record<string, string>;
  body?: string;
  claims?: Record<string, string>;
  http?: { protocol: string; sourceIp: string; userAgent: string };
}): APIGatewayProxyEventV2WithJWTAuthorizer {
  const query: Record<string, string> = {};
  for (const [k, v] of x.url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const now = new Date();
  const http = x.http ?? { protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: '' };
  return {
    version: '2.0',
    routeKey: routeKey(x.def),
    rawPath: x.rawPath ?? x.url.pathname,
    rawQueryString: x.url.search.replace(/^\?/, ''),
    headers: x.headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(x.pathParameters).length ? x.pathParameters : undefined,
    body: x.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: x.headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method: x.def.method, path: x.rawPath ?? x.url.pathname, ...http },
      requestId: randomUUID(),
      routeKey: routeKey(x.def),
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(x.claims ? { authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: x.claims, scopes: [] } } } : {}),
    },
  } as APIGatewayProxyEventV2WithJWTAuthorizer;
}

export interface Gateway {
  server: Server;
  url: string;
  stop(): Promise<void>;
}

export type ControlHandler = (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean>;

export async function startGateway(opts: { port: number; host?: string; invoke: HttpInvoke; control?: ControlHandler }): Promise<Gateway> {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      // Route on the path as sent: `new URL` resolves `.` and `..` segments (and `\`), which API
      // Gateway does not, so `/v1/units/../accounts/1` must not become `/v1/accounts/1` here either.
      const rawPath = (req.url ?? '/').startsWith('/') ? (req.url ?? '/').split('?')[0] : url.pathname;
      if (opts.control && !rawPath.startsWith('/v1/') && (await opts.control(req, res, rawPath))) return;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req) {
        size += (chunk as Buffer).length;
        if (size > MAX_PAYLOAD_BYTES) return sendProblem(res, 'VALIDATION_FAILED', 'Request body too large / 请求体过大', { close: true });
        chunks.push(chunk as Buffer);
      }
      const method = (req.method ?? 'GET').toUpperCase();
      const match = matchRoute(method, rawPath);
      if (!match) return sendProblem(res, 'NOT_FOUND', `No route ${method} ${rawPath.slice(0, 200)} / 路由不存在`);
      if (match.malformed) return sendProblem(res, 'VALIDATION_FAILED', 'Malformed percent-encoding in the path / 路径编码错误');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
      let claims: Record<string, string> | undefined;
      if (match.def.auth === 'jwt') {
        const auth = headers.authorization ?? '';
        const token = bearerToken(auth);
        const payload = token ? await verifyToken(token) : undefined;
        if (!payload) return sendProblem(res, 'UNAUTHENTICATED', 'A valid bearer token is required / 需要有效的令牌');
        // API Gateway passes claims as strings
        claims = Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, typeof v === 'string' ? v : Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]));
      }
      const raw = Buffer.concat(chunks);
      const event = buildHttpEvent({
        def: match.def,
        pathParameters: match.pathParameters,
        url,
        rawPath,
        headers,
        body: raw.length ? raw.toString('utf8') : undefined,
        claims,
        http: { protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      });
      const requestId = event.requestContext.requestId;
      const context = { awsRequestId: requestId, functionName: match.def.fn, getRemainingTimeInMillis: () => 29_000 } as unknown as Context;
      const result = await opts.invoke(match.def.fn, event, context);
      const outHeaders: Record<string, string> = { ...(result.headers as Record<string, string> | undefined), 'apigw-requestid': requestId };
      res.writeHead(result.statusCode ?? 200, outHeaders);
      res.end(result.body ? (result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body) : undefined);
    } catch (err) {
      console.error('gateway error', err);
      if (!res.headersSent) sendProblem(res, 'INTERNAL', 'Internal error / 系统内部错误');
      else res.end();
    }
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
