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
    summary: "Apply for a withdrawal / 提取申请",
    description: "Apply for a withdrawal from one’s own account: paid at once, or PENDING_REVIEW when a fraud rule trips; HPF_LOAN_REPAYMENT of one of our loans pays that loan in the same transaction / 职工按提取原因提交材料申请提取：即时支付、转人工审核或拒绝。",
    errors: ["INVALID_STATE", "INSUFFICIENT_BALANCE", "POLICY_VIOLATION", "NOT_ELIGIBLE"],
    example: {"body": {"accountNo": "330100000125", "reason": "RENT", "amount": "1500", "payeeBankAccount": "6222020200112233", "evidence": {"housingKind": "COMMERCIAL", "noHouseCertificateNo": "WF-2026-0001"}}, "response": {"withdrawalId": "WD0001", "status": "PAID", "amount": "1500.00", "reasonCode": "06", "payment": {"paymentId": "PAY0001", "status": "ORDERED"}}},
    roles: ['member'],
    body: applyWithdrawalBody,
    idempotent: { status: 201 },
    handle: (req) => logged(req, applyWithdrawal(req.caller, req.body, req.idempotency, undefined, req.log)),
  }),
  'GET /v1/withdrawals': route({
    summary: "The withdrawal review queue / 提取待审核队列",
    description: "The review queue (staff): PENDING_REVIEW withdrawals oldest first, with reviewDueOn and overdueForReview; a branch clerk sees their branch / 待审核提取，按提交先后，含审核期限。",
    example: {"query": {"status": "PENDING_REVIEW", "branch": "HZ-SC"}},
    roles: ['staff'],
    query: reviewQueueQuery,
    handle: async (req) => ({ status: 200, body: await reviewQueue(req.caller, req.query) }),
  }),
  'GET /v1/withdrawals/{withdrawalId}': route({
    summary: "A withdrawal / 查询提取",
    description: "A withdrawal with its electronic archive: evidence, its SHA-256, submitter and decisions / 提取记录及电子档案。",
    roles: readers,
    handle: async (req) => ({ status: 200, body: await readWithdrawal(req.caller, req.params.withdrawalId) }),
  }),
  'GET /v1/accounts/{accountNo}/withdrawals': route({
    summary: "An account's withdrawals / 账户提取记录",
    description: "Withdrawals of an account, newest first / 账户提取记录，倒序。",
    example: {"query": {"limit": "50"}},
    roles: readers,
    query: z.object(paginationShape),
    handle: async (req) => ({ status: 200, body: await listWithdrawals(req.caller, req.params.accountNo, req.query.limit, req.query.cursor) }),
  }),
  'POST /v1/withdrawals/{withdrawalId}/approve': route({
    summary: "Approve a withdrawal / 审核通过提取",
    description: "Staff approve a PENDING_REVIEW withdrawal: re-checked and debited now / 经办人员审核通过，重新校验并支付。",
    errors: ["INVALID_STATE", "INSUFFICIENT_BALANCE", "POLICY_VIOLATION"],
    example: {"body": {"note": "已核实购房合同"}},
    roles: ['staff'],
    body: approveBody,
    idempotent: { status: 200 },
    handle: (req) => logged(req, approveWithdrawal(req.caller, req.params.withdrawalId, req.body.note, req.idempotency, req.log)),
  }),
  'POST /v1/withdrawals/{withdrawalId}/reject': route({
    summary: "Reject a withdrawal / 审核驳回提取",
    description: "Staff reject a PENDING_REVIEW withdrawal with a note / 经办人员驳回并注明理由。",
    errors: ["INVALID_STATE"],
    example: {"body": {"note": "同一房产重复提取"}},
    roles: ['staff'],
    body: rejectBody,
    idempotent: { status: 200 },
    handle: (req) => logged(req, rejectWithdrawal(req.caller, req.params.withdrawalId, req.body.note, req.idempotency)),
  }),
});
