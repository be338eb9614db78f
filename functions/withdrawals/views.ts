// The API shapes of a withdrawal (api.md): money in yuan strings, the archive as recorded.
import { fenToYuan } from '../../shared/money.ts';
import type { Withdrawal } from './domain/withdrawal.ts';

/** The answer to an application (also what a replay returns). */
export const applicationView = (w: Withdrawal) => ({
  withdrawalId: w.withdrawalId,
  accountNo: w.accountNo,
  reason: w.reason,
  reasonCode: w.reasonCode,
  status: w.status,
  amount: fenToYuan(w.amountFen),
  ...(w.closesAccount ? { interest: fenToYuan(w.interestFen), accountClosed: true } : {}),
  ...(w.status === 'PENDING_REVIEW' ? { reviewReasons: w.reviewReasons, reviewDueOn: w.reviewDueOn } : {}),
  ...(w.rejection ? { rejection: w.rejection } : {}),
});

/** The withdrawal with its electronic archive: evidence and its hash, submitter, decisions. */
export const withdrawalView = (w: Withdrawal) => ({
  ...applicationView(w),
  requested: w.requested.full ? { full: true } : { amount: fenToYuan(w.requested.amountFen) },
  payeeBankAccount: w.payeeBankAccount,
  evidence: w.evidence,
  evidenceSha256: w.evidenceSha256,
  submittedBy: w.submittedBy,
  submittedAt: w.submittedAt,
  reviewReasons: w.reviewReasons,
  ...(w.reviewDueOn ? { reviewDueOn: w.reviewDueOn } : {}),
  decisions: w.decisions,
  ...(w.paidOn ? { paidOn: w.paidOn } : {}),
  entryIds: w.entryIds,
});
