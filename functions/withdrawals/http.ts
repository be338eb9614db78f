// HTTP entry point of the withdrawals domain (提取): parse, call one use case, answer.
import { z } from 'zod';
import { httpHandler, route } from '../../shared/http.ts';
import { paginationShape } from '../../shared/schemas.ts';
import { applyWithdrawalBody, approveBody, rejectBody } from './schemas.ts';
import { applyWithdrawal, approveWithdrawal, listWithdrawals, readWithdrawal, rejectWithdrawal } from './service.ts';

const readers = ['member', 'staff', 'auditor'] as const;

export const handler = httpHandler('withdrawals', {
  'POST /v1/withdrawals': route({
    roles: ['member'],
    body: applyWithdrawalBody,
    idempotent: { status: 201 },
    handle: (req) => applyWithdrawal(req.caller, req.body, req.idempotency),
  }),
  'GET /v1/withdrawals/{withdrawalId}': route({
    roles: readers,
    handle: async (req) => ({ status: 200, body: await readWithdrawal(req.caller, req.params.withdrawalId) }),
  }),
  'GET /v1/accounts/{accountNo}/withdrawals': route({
    roles: readers,
    query: z.object(paginationShape),
    handle: async (req) => ({ status: 200, body: await listWithdrawals(req.caller, req.params.accountNo, req.query.limit, req.query.cursor) }),
  }),
  'POST /v1/withdrawals/{withdrawalId}/approve': route({
    roles: ['staff'],
    body: approveBody,
    idempotent: { status: 200 },
    handle: (req) => approveWithdrawal(req.caller, req.params.withdrawalId, req.body.note, req.idempotency),
  }),
  'POST /v1/withdrawals/{withdrawalId}/reject': route({
    roles: ['staff'],
    body: rejectBody,
    idempotent: { status: 200 },
    handle: (req) => rejectWithdrawal(req.caller, req.params.withdrawalId, req.body.note, req.idempotency),
  }),
});
