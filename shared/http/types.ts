// The types of the HTTP stack: what a domain declares (RouteSpec), what its handler gets (Request)
// and answers (Reply or a commit's Outcome), and the per-request state the middlewares hand on to
// each other (HttpState, on the middy request's context).
import type { MiddlewareObj, Request as MiddyRequest } from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from '../zod.ts';
import type { Caller, Role } from '../auth.ts';
import type { ProblemCode } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { IdempotencyContext, Outcome } from '../tx.ts';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

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

/**
 * What one request has been found to be so far, filled in by the middlewares in their order:
 * context (service, headers, log), router (spec), authenticate (caller), parse (raw, value),
 * validate (body, query), idempotency (idempotency).
 */
export interface HttpState {
  service: string;
  /** The request's headers, names lower-cased. */
  headers: Record<string, string>;
  /** The service's logger with the request's correlation ids. */
  log: Logger;
  spec?: RouteSpec<any, any>;
  caller?: Caller;
  /** The body as text (bounded in size), and its JSON (undefined when empty or when the route is signed). */
  raw: string;
  value: unknown;
  body: unknown;
  query: unknown;
  idempotency?: IdempotencyContext;
}

/** The Lambda context as the middlewares and the route handler see it: with the request's state. */
export type HttpContext = Context & { readonly http: HttpState };

/** What the route's handler answered before `render` turned it into the HTTP result. */
export type HttpResponse = HttpResult | Reply | Outcome<unknown>;

export type HttpMiddyRequest = MiddyRequest<HttpEvent, HttpResponse, Error, HttpContext>;
export type HttpMiddleware = MiddlewareObj<HttpEvent, HttpResponse, Error, HttpContext>;

/** The route the router found (the middlewares after it run only when there is one). */
export function specOf(state: HttpState): RouteSpec<any, any> {
  if (!state.spec) throw new Error('no route spec: the router middleware must run first');
  return state.spec;
}
