// A partner province's purchase withdrawal (跨省通办 PURCHASE_WITHDRAWAL): one of our own PURCHASE
// withdrawals with the partner as its channel. It goes through planApplication, the plan
// POST /v1/withdrawals commits: the account's status (frozen, closed), an overdue loan, the balance, the
// purchase date window, the property cap "price less what was already withdrawn for this property by
// anyone", the fraud rules that send it to staff review, the ledger debit when PAID, the claim and the
// archive record (actor: the partner). Nothing is committed here: the items join the caller's
// transaction (the interprovincial request's new status), so the whole flow is one commit.
//
// Decisions (documented for reviewers):
//  - The withdrawal id derives from our tracking id of the partner's request: a redelivery finds the
//    record and plans nothing new (the existing outcome, no items); a concurrent duplicate loses on the
//    record's attribute_not_exists and re-plans into that case.
//  - A refusal (the DomainError the member would get: INVALID_STATE, NOT_ELIGIBLE, POLICY_VIOLATION,
//    INSUFFICIENT_BALANCE, VALIDATION_FAILED for evidence our route would refuse) is the outcome
//    REJECTED with that code and message, and no items: as for a member, nothing changes and no
//    withdrawal record exists (partnerWithdrawalOutcome answers undefined for it).
//  - No payee bank account: the money leaves the member's account here; its route is the partner's.
import { DomainError } from '../../../shared/errors.ts';
import { notFound } from '../../../shared/auth.ts';
import { fenToYuan, MAX_AMOUNT_FEN } from '../../../shared/money.ts';
import { derivedId } from '../../../shared/ids.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import type { Actor, Withdrawal, WithdrawalApplication } from '../domain/withdrawal.ts';
import { partnerPurchaseEvidence } from '../schemas.ts';
import { getWithdrawal } from '../store.ts';
import { planApplication } from './apply.ts';

export interface PartnerPurchaseRequest {
  accountNo: string;
  /** The partner's center code. */
  partner: string;
  /** Our tracking id of the partner's request. */
  trackingId: string;
  amountFen: number;
  evidence: { contractNo: string; propertyCertificateNo: string; price: string; purchaseDate: string; city?: string };
  today: string;
  at: Date;
}

export interface PartnerWithdrawalOutcome {
  withdrawalId: string;
  status: 'PAID' | 'PENDING_REVIEW' | 'REJECTED';
  amount: string;
  rejection?: { code: string; message: string };
}

/** The withdrawal id of a partner's request (deterministic: a redelivery finds its record). */
export const partnerWithdrawalIdOf = (trackingId: string) => derivedId('W', 'PARTNER_WITHDRAWAL', trackingId);

/** The partner's actor in the record and the archive (the same actor the interprovincial domain archives). */
const partnerActor = (partner: string): Actor => ({ sub: partner, role: 'partner' });

/** A partner's withdrawal has no payment order of ours (no payee): it is never PAYMENT_FAILED. */
const partnerStatus = (w: Withdrawal): PartnerWithdrawalOutcome['status'] => {
  if (w.status === 'PAYMENT_FAILED') throw new Error(`partner withdrawal ${w.withdrawalId} has a failed payment of ours`);
  return w.status;
};

export const outcomeOf = (w: Withdrawal): PartnerWithdrawalOutcome => ({
  withdrawalId: w.withdrawalId,
  status: partnerStatus(w),
  amount: fenToYuan(w.amountFen),
  ...(w.rejection ? { rejection: { code: w.rejection.code, message: w.rejection.message } } : {}),
});

const refused = (withdrawalId: string, amountFen: number, err: DomainError): { items: TxItem[]; outcome: PartnerWithdrawalOutcome } => ({
  items: [],
  outcome: {
    withdrawalId,
    status: 'REJECTED',
    amount: Number.isSafeInteger(amountFen) && amountFen >= 0 ? fenToYuan(amountFen) : '0.00',
    rejection: { code: err.code, message: err.code === 'VALIDATION_FAILED' && err.errors.length ? `${err.message} (${err.errors.map((e) => `${e.path}: ${e.message}`).join('; ')})` : err.message },
  },
});

export async function planPartnerPurchaseWithdrawal(input: PartnerPurchaseRequest): Promise<{ items: TxItem[]; outcome: PartnerWithdrawalOutcome }> {
  const withdrawalId = partnerWithdrawalIdOf(input.trackingId);
  const existing = await getWithdrawal(withdrawalId);
  if (existing) {
    if (existing.channel?.trackingId !== input.trackingId) throw new Error(`withdrawal ${withdrawalId} exists without the channel of ${input.trackingId}`);
    return { items: [], outcome: outcomeOf(existing) };
  }
  // the evidence our own route would accept for a PURCHASE withdrawal (canonical document numbers,
  // a bounded price, a plausible date)
  const parsed = partnerPurchaseEvidence.safeParse(input.evidence);
  if (!parsed.success) {
    return refused(withdrawalId, input.amountFen, new DomainError('VALIDATION_FAILED', 'The purchase evidence is invalid / 购房提取材料不符合要求', parsed.error.issues.map((i) => ({ path: ['payload', ...i.path].join('.'), message: i.message }))));
  }
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0 || input.amountFen > MAX_AMOUNT_FEN) {
    return refused(withdrawalId, input.amountFen, new DomainError('VALIDATION_FAILED', 'The amount must be a positive amount of fen / 提取金额须大于零', [{ path: 'payload.amount', message: 'must be greater than zero' }]));
  }
  const { city, ...purchase } = parsed.data;
  const body: WithdrawalApplication = { accountNo: input.accountNo, reason: 'PURCHASE', amount: input.amountFen, evidence: { ...purchase, ...(city !== undefined ? { city } : {}) } };
  const channel = { partner: input.partner, trackingId: input.trackingId };
  try {
    const plan = await planApplication({
      withdrawalId,
      body,
      actor: partnerActor(input.partner),
      authorize: (found) => found ?? notFound('Account'),
      submitted: { partner: input.partner, trackingId: input.trackingId, accountNo: input.accountNo, reason: 'PURCHASE', amount: fenToYuan(input.amountFen), evidence: body.evidence },
      today: input.today,
      at: input.at.toISOString(),
      channel,
    });
    return { items: plan.items, outcome: outcomeOf(plan.withdrawal) };
  } catch (err) {
    if (err instanceof DomainError) return refused(withdrawalId, input.amountFen, err);
    throw err;
  }
}

/** The outcome of a partner's withdrawal now (after staff review: approve → PAID, reject → REJECTED); undefined when none. */
export async function partnerWithdrawalOutcome(withdrawalId: string): Promise<PartnerWithdrawalOutcome | undefined> {
  const w = await getWithdrawal(withdrawalId);
  return w?.channel ? outcomeOf(w) : undefined;
}
