// Generates the OpenAPI 3.1 document from the topology's routes and each route's zod schemas (the
// same schemas the handlers validate with). `npm run openapi` writes functions/supervision/openapi.json,
// which the supervision function serves at GET /v1/openapi.json; a test fails if the file is stale.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from '../shared/zod.ts';
import { functions, routes, routeKey, type RouteDef } from './topology.ts';
import { problemCodes } from '../shared/errors.ts';
import type { RouteSpec } from '../shared/http.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OPENAPI_FILE = join(root, 'functions', 'supervision', 'openapi.json');

const jsonSchema = (schema: z.ZodMiniType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return rest;
};

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'code', 'detail', 'errors'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', enum: Object.keys(problemCodes) },
    detail: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } },
  },
};

function operation(r: RouteDef, spec: RouteSpec<unknown, unknown> | undefined) {
  const params: unknown[] = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (spec?.query) {
    const q = jsonSchema(spec.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {})) params.push({ name, in: 'query', required: (q.required ?? []).includes(name) && !(schema as { default?: unknown }).default, schema });
  }
  if (spec?.idempotent) params.push({ name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,128}$' } });
  const security = r.auth === 'jwt' ? [{ bearer: [] }] : r.auth === 'partner' ? [{ hpfSignature: [] }] : [];
  const success = String(spec?.idempotent?.status ?? (r.method === 'DELETE' ? 204 : r.method === 'POST' && !spec?.idempotent ? 200 : 200));
  return {
    operationId: `${r.method.toLowerCase()}${r.path.replace(/\{(\w+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    tags: [functions.find((f) => f.name === r.fn)!.domain],
    summary: spec?.summary ?? `${r.method} ${r.path}`,
    ...(params.length ? { parameters: params } : {}),
    ...(spec?.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body) } } } } : {}),
    security,
    responses: {
      [success]: { description: 'Success', ...(success === '204' ? {} : { content: { 'application/json': { schema: {} } } }) },
      default: { description: 'Problem (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
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
  for (const r of routes) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r, specs.get(routeKey(r)));
  return {
    openapi: '3.1.0',
    info: {
      title: 'HPF Cloud API',
      version: '1.0.0',
      description: 'Housing Provident Fund (住房公积金) center API: collection, withdrawals, loans, supervision and inter-provincial handling (跨省通办). Money is a decimal string in yuan; errors are RFC 9457 problem documents.',
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'local runtime' }],
    paths,
    components: {
      schemas: { Problem: problemSchema },
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
