// Satisfaction ratings (服务评价, domain.md §7): one per completed transaction of the member's own,
// counted per period and branch in the same transaction (the indicators' `satisfaction`).
import { commit, type IdempotencyContext } from '../../../shared/tx.ts';
import { DomainError } from '../../../shared/errors.ts';
import { businessDate, nowIso, periodOf } from '../../../shared/clock.ts';
import { getAccount } from '../../../shared/ledger/ledger.ts';
import type { Caller } from '../../../shared/auth.ts';
import * as withdrawals from '../../withdrawals/public.ts';
import * as loans from '../../loans/public.ts';
import * as interprovincial from '../../interprovincial/public.ts';
import { ownsTransaction } from '../domain/access.ts';
import * as store from '../store.ts';

export type RatingSubjectType = 'WITHDRAWAL' | 'LOAN' | 'TRANSFER';

interface RatedSubject {
  accountNos: string[];
  branch?: string;
  completed: boolean;
}

/** The transaction as its owning domain publishes it for a rating (undefined: no such transaction). */
async function subjectOf(type: RatingSubjectType, id: string): Promise<RatedSubject | undefined> {
  switch (type) {
    case 'WITHDRAWAL': {
      const w = await withdrawals.withdrawalForRating(id);
      return w && { accountNos: [w.accountNo], branch: w.branch, completed: w.completed };
    }
    case 'LOAN': {
      const l = await loans.loanForRating(id);
      return l && { accountNos: [...l.accountNos], branch: l.branch, completed: l.completed };
    }
    case 'TRANSFER': {
      const t = await interprovincial.transferForRating(id);
      return t && { accountNos: [t.accountNo], branch: t.branch, completed: t.completed };
    }
  }
}

export interface RatingInput {
  subjectType: RatingSubjectType;
  subjectId: string;
  score: number;
  comment?: string;
}

export function rate(caller: Caller, input: RatingInput, idempotency: IdempotencyContext | undefined) {
  return commit({
    idempotency,
    status: 201,
    plan: async () => {
      const subject = await subjectOf(input.subjectType, input.subjectId);
      // another member's transaction is answered as if it did not exist
      if (!subject || !ownsTransaction(caller, subject.accountNos)) throw new DomainError('NOT_FOUND', 'Transaction not found / 业务不存在');
      if (!subject.completed) throw new DomainError('INVALID_STATE', 'Only a completed transaction can be rated / 业务办结后方可评价');
      if (await store.getRating(input.subjectType, input.subjectId)) throw new DomainError('CONFLICT', 'This transaction has been rated already / 该业务已评价');
      const accountNo = caller.accountNo!;
      const branch = subject.branch ?? (await getAccount(accountNo))?.branch ?? 'UNKNOWN';
      const ratedAt = nowIso();
      const rating: store.Rating = { subjectType: input.subjectType, subjectId: input.subjectId, accountNo, branch, score: input.score, ...(input.comment ? { comment: input.comment } : {}), period: periodOf(businessDate()), ratedAt, by: caller.sub };
      return {
        items: store.ratingItems(rating),
        body: { subjectType: rating.subjectType, subjectId: rating.subjectId, score: rating.score, ...(rating.comment ? { comment: rating.comment } : {}), period: rating.period, ratedAt },
      };
    },
  });
}
