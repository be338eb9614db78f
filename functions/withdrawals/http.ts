// HTTP entry point of the withdrawals domain (提取): parse, call one use case, answer.
import * as z from '../../shared/zod.ts';
import { emitMetric } from '../../shared/metrics.ts';
import { httpHandler, route, type Request } from '../../shared/http.ts';
import type { Outcome } from '../../shared/tx.ts';
import { paginationShape } from '../../shared/schemas.ts';
import { applyWithdrawalBody, approveBody, rejectBody, reviewQueueQuery } from './schemas.ts';
import { applyWithdrawal } from './usecases/apply.ts';
import { approveWithdrawal, rejectWithdrawal, reviewQueue } from './usecases/review.ts';
import { listWithdrawals, readWithdrawal } from './usecases/read.ts';

const readers = ['member', 'staff', 'auditor'] as const;

/** One structured line per decided withdrawal (the request id and key come with the request's logger). */
async function logged<B, Q>(req: Request<B, Q>, outcome: Promise<Outcome<{ withdrawalId: string; status: string; amount: string }>>) {
  const out = await outcome;
  req.log.info('withdrawal', { withdrawalId: out.body.withdrawalId, status: out.body.status, amount: out.body.amount, replayed: out.replayed });
  if (!out.replayed) emitMetric(`Withdrawals${out.body.status === 'PAID' ? 'Paid' : out.body.status === 'PENDING_REVIEW' ? 'Referred' : 'Rejected'}`, 1);
  return out;
}

export const handler = httpHandler('withdrawals', {
  'POST /v1/withdrawals': route({
    summary: 'Apply for a withdrawal from one’s own account: paid at once, or PENDING_REVIEW when a fraud rule trips; HPF_LOAN_REPAYMENT of one of our loans pays that loan in the same transaction',
    roles: ['member'],
    body: applyWithdrawalBody,
    idempotent: { status: 201 },
    handle: (req) => logged(req, applyWithdrawal(req.caller, req.body, req.idempotency, undefined, req.log)),
  }),
  'GET /v1/withdrawals': route({
    summary: 'The review queue (staff): PENDING_REVIEW withdrawals oldest first, with reviewDueOn and overdueForReview; a branch clerk sees their branch',
    roles: ['staff'],
    query: reviewQueueQuery,
    handle: async (req) => ({ status: 200, body: await reviewQueue(req.caller, req.query) }),
  }),
  'GET /v1/withdrawals/{withdrawalId}': route({
    summary: 'A withdrawal with its electronic archive: evidence, its SHA-256, submitter and decisions',
    roles: readers,
    handle: async (req) => ({ status: 200, body: await readWithdrawal(req.caller, req.params.withdrawalId) }),
  }),
  'GET /v1/accounts/{accountNo}/withdrawals': route({
    summary: 'Withdrawals of an account, newest first',
    roles: readers,
    query: z.object(paginationShape),
    handle: async (req) => ({ status: 200, body: await listWithdrawals(req.caller, req.params.accountNo, req.query.limit, req.query.cursor) }),
  }),
  'POST /v1/withdrawals/{withdrawalId}/approve': route({
    summary: 'Staff approve a PENDING_REVIEW withdrawal: re-checked and debited now',
    roles: ['staff'],
    body: approveBody,
    idempotent: { status: 200 },
    handle: (req) => logged(req, approveWithdrawal(req.caller, req.params.withdrawalId, req.body.note, req.idempotency, req.log)),
  }),
  'POST /v1/withdrawals/{withdrawalId}/reject': route({
    summary: 'Staff reject a PENDING_REVIEW withdrawal with a note',
    roles: ['staff'],
    body: rejectBody,
    idempotent: { status: 200 },
    handle: (req) => logged(req, rejectWithdrawal(req.caller, req.params.withdrawalId, req.body.note, req.idempotency)),
  }),
});
