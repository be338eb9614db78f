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

/** The message of the audit-segments queue: one page of one account segment of a run. */
export const auditSegmentMessage = z.strictObject({ runId: z.string().check(z.minLength(1)), segment: z.int().check(z.gte(0)), cursor: z.optional(z.string()) });
export type AuditSegmentMessage = z.infer<typeof auditSegmentMessage>;
