// HTTP entry point of the supervision domain (监管) and the platform routes (health, OpenAPI).
import * as z from '../../shared/zod.ts';
import { httpHandler, route } from '../../shared/http.ts';
import { health } from '../../shared/health.ts';
import { DomainError } from '../../shared/errors.ts';
import { commit } from '../../shared/tx.ts';
import { nowIso } from '../../shared/clock.ts';
import { isoDate, period, paginationShape } from '../../shared/schemas.ts';
import type { Caller } from '../../shared/auth.ts';
import openapi from './openapi.json' with { type: 'json' };
import * as store from './store.ts';
import { startAuditRun } from './audit.ts';
import { currentIndicators } from './indicators.ts';

const QUEUES = ['remittance-posting', 'interest-settlement', 'loan-batch', 'audit-segments', 'interprovincial-inbound', 'interprovincial-outbound'];
const branchParam = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,32}$/, 'branch code'));

/** Auditors read any branch or the city; staff only their own branch (city-level staff: any). */
function scopeFor(caller: Caller, requested: string | undefined): string | undefined {
  if (caller.role === 'auditor' || caller.branch === '*') return requested;
  if (requested && requested !== caller.branch) throw new DomainError('FORBIDDEN', 'Staff read indicators of their own branch only / 仅可查看本管理部指标');
  return caller.branch;
}

const findingView = (f: store.Finding) => ({
  findingId: f.findingId,
  rule: f.rule,
  severity: f.severity,
  subject: f.subject,
  evidence: f.evidence,
  status: f.status,
  foundAt: f.foundAt,
  lastSeenAt: f.lastSeenAt,
  ...(f.resolution ? { resolution: f.resolution } : {}),
});

export const handler = httpHandler('supervision-http', {
  'GET /v1/health': route({ auth: 'none', summary: 'Health of the store and the queues', handle: () => health(QUEUES) }),
  'GET /v1/openapi.json': route({ auth: 'none', summary: 'This OpenAPI 3.1 document', handle: async () => ({ status: 200, body: openapi }) }),

  'POST /v1/supervision/audit-runs': route({
    summary: 'Run the electronic audit now (also scheduled daily)',
    roles: ['auditor'],
    idempotent: { status: 202 },
    handle: (req) => startAuditRun(`manual:${req.caller.sub}`, req.idempotency),
  }),
  'GET /v1/supervision/audit-runs/{runId}': route({
    summary: 'An audit run',
    roles: ['auditor'],
    handle: async (req) => {
      const run = await store.getRun(req.params.runId);
      if (!run) throw new DomainError('NOT_FOUND', 'Audit run not found / 稽查批次不存在');
      return { status: 200, body: { runId: run.runId, status: run.status, findings: run.findings, accounts: run.accounts, segments: { total: run.segmentsTotal, done: run.segmentsDone }, startedAt: run.startedAt, completedAt: run.completedAt ?? null } };
    },
  }),
  'GET /v1/supervision/findings': route({
    summary: 'Findings, filtered by status and rule',
    roles: ['auditor'],
    query: z.strictObject({ ...paginationShape, status: z._default(z.enum(['OPEN', 'RESOLVED']), 'OPEN'), rule: z.optional(z.string().check(z.regex(/^[A-Z_]{1,64}$/))) }),
    handle: async (req) => {
      const page = await store.listFindings(req.query.status, req.query.rule, req.query.limit, req.query.cursor);
      return { status: 200, body: { items: page.items.map(findingView), nextCursor: page.nextCursor } };
    },
  }),
  'POST /v1/supervision/findings/{findingId}/resolve': route({
    summary: 'Resolve a finding with a note',
    roles: ['auditor'],
    idempotent: { status: 200 },
    body: z.strictObject({ note: z.string().check(z.trim(), z.minLength(1), z.maxLength(2000)) }),
    handle: (req) =>
      commit({
        idempotency: req.idempotency,
        plan: async () => {
          const f = await store.getFinding(req.params.findingId);
          if (!f) throw new DomainError('NOT_FOUND', 'Finding not found / 稽查发现不存在');
          if (f.status !== 'OPEN') throw new DomainError('INVALID_STATE', 'The finding is already resolved / 已处理');
          const resolution = { note: req.body.note, by: req.caller.sub, at: nowIso() };
          return { items: [store.resolveFindingItem(f, resolution)], body: findingView({ ...f, status: 'RESOLVED', resolution }) };
        },
      }),
  }),
  'GET /v1/supervision/indicators': route({
    summary: 'Fund indicators, city-wide or per branch',
    roles: ['auditor', 'staff'],
    query: z.strictObject({ branch: z.optional(branchParam), period: z.optional(period) }),
    handle: async (req) => ({ status: 200, body: await currentIndicators(scopeFor(req.caller, req.query.branch), req.query.period) }),
  }),
  'GET /v1/supervision/indicators/history': route({
    summary: 'Daily indicator snapshots',
    roles: ['auditor', 'staff'],
    query: z.strictObject({ ...paginationShape, from: isoDate, to: isoDate, branch: z.optional(branchParam) }),
    handle: async (req) => {
      const page = await store.listSnapshots(scopeFor(req.caller, req.query.branch) ?? '*', req.query.from, req.query.to, req.query.limit, req.query.cursor);
      return { status: 200, body: page };
    },
  }),
});
