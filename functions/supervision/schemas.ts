// The supervision API's request schemas (zod/mini): the same schemas validate requests and
// generate the OpenAPI document.
import * as z from '../../shared/zod.ts';
import { isoDate, period, paginationShape, plainText } from '../../shared/schemas.ts';

export const branchParam = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,32}$/, 'branch code'));

export const findingsQuery = z.strictObject({
  ...paginationShape,
  status: z._default(z.enum(['OPEN', 'RESOLVED']), 'OPEN'),
  rule: z.optional(z.string().check(z.regex(/^[A-Z_]{1,64}$/))),
});

export const resolveBody = z.strictObject({ note: plainText(2000, { multiline: true }) });

export const indicatorsQuery = z.strictObject({ branch: z.optional(branchParam), period: z.optional(period) });

export const historyQuery = z.strictObject({ ...paginationShape, from: isoDate, to: isoDate, branch: z.optional(branchParam) });

export const RATING_SUBJECTS = ['WITHDRAWAL', 'LOAN', 'TRANSFER'] as const;

export const ratingBody = z.strictObject({
  subjectType: z.enum(RATING_SUBJECTS),
  subjectId: z.string().check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9_.:-]+$/, 'an identifier')),
  score: z.int().check(z.gte(1), z.lte(5)),
  comment: z.optional(plainText(500, { multiline: true })),
});

export const ARCHIVE_SUBJECTS = ['UNIT', 'ACCOUNT', 'REMITTANCE', 'WITHDRAWAL', 'LOAN', 'INTERPROVINCIAL_REQUEST', 'TRANSFER'] as const;
export const archiveSubjectType = z.enum(ARCHIVE_SUBJECTS);

const runId = z.string().check(z.minLength(1));
const shard = z.int().check(z.gte(0), z.lte(255));
const cursor = z.optional(z.string());

/**
 * The messages of the audit-segments queue, one page of a run each: of an account segment (SEGMENT),
 * or of a part of a fund-wide rule: a claim shard (CLAIMS: property reuse), a unit shard (UNITS: unit
 * arrears), the rent withdrawals of one submission year (RENTS: rent with a loan or a purchase).
 */
export const auditMessage = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('SEGMENT'), runId, segment: z.int().check(z.gte(0)), cursor }),
  z.strictObject({ kind: z.literal('CLAIMS'), runId, shard, cursor }),
  z.strictObject({ kind: z.literal('UNITS'), runId, shard, cursor }),
  z.strictObject({ kind: z.literal('RENTS'), runId, year: z.int().check(z.gte(1900), z.lte(9999)), cursor }),
]);
export type AuditMessage = z.infer<typeof auditMessage>;
/** A message of the queue; one sent before the fund-wide parts existed (no `kind`) is an account segment's page. */
export const parseAuditMessage = (body: unknown): AuditMessage => auditMessage.parse(body !== null && typeof body === 'object' && !('kind' in body) ? { kind: 'SEGMENT', ...body } : body);
export type AuditSegmentMessage = Extract<AuditMessage, { kind: 'SEGMENT' }>;
/** A page of a part of a fund-wide rule. */
export type AuditPartMessage = Exclude<AuditMessage, { kind: 'SEGMENT' }>;
