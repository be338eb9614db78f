// Arrival notices (到账通知): a bank tells us money arrived on one of our COLLECTION accounts. The
// reference decides where it goes — an AWAITING_FUNDS remittance of that amount is settled, a loan is
// repaid, a flexible account is credited (each through the owning domain's public.ts) — and anything
// else becomes a suspense item (待查款项). The notice, the effect's items and the archive are ONE
// commit; the notice record holds the answer, so the same notificationId again answers the same and
// changes nothing (a concurrent twin fails the notice's condition and re-plans into the stored answer).
import { commit } from '../../../shared/tx.ts';
import { now } from '../../../shared/clock.ts';
import { sendAfterCommit } from '../../../shared/outbox.ts';
import { fail } from '../../../shared/errors.ts';
import { isAccountNo } from '../../../shared/ids.ts';
import { archiveItem } from '../../../shared/archive.ts';
import { fenToYuan } from '../../../shared/money.ts';
import type { Logger } from '../../../shared/log.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { getNotice, newNoticeItem, putSuspenseItem } from '../store.ts';
import { isCollectionAccountOf } from '../domain/rules.ts';
import { suspenseItemIdOf, type Notice, type NoticeAnswer, type SuspenseItem } from '../domain/types.ts';
import type { NotificationBody } from '../schemas.ts';
import type { VerifiedBankCall } from './banks.ts';
import { planFlexibleDepositByBank, planRemittanceSettlementByBank, planRepaymentByBank } from './contracts.ts';

/** A reference that could be one of our ids (anything else is not looked up). */
const LOOKUP = /^[A-Za-z0-9_.:-]{1,128}$/;

interface Match {
  answer: NoticeAnswer;
  items: TxItem[];
  owner: { branch?: string; unitId?: string; accountNo?: string };
  afterCommit?: () => Promise<void>;
}

/** What the notice's reference names, planned (no write): a match with its items, or null. */
async function planMatch(bankCode: string, n: NotificationBody, at: Date): Promise<Match | null> {
  const ref = n.reference.trim();
  if (!LOOKUP.test(ref)) return null;
  const bankRef = n.notificationId;
  const actor = { sub: `bank:${bankCode}`, role: 'bank' };
  if (isAccountNo(ref)) {
    const d = await planFlexibleDepositByBank({ accountNo: ref, amountFen: n.amount, bankRef, valueDate: n.valueDate, at, actor });
    return d.ok ? { answer: { matched: { kind: 'DEPOSIT', id: d.deposit.accountNo } }, items: d.items, owner: { accountNo: d.deposit.accountNo } } : null;
  }
  const r = await planRemittanceSettlementByBank({ remittanceId: ref, amountFen: n.amount, bankRef, at, actor });
  if (r.ok) return { answer: { matched: { kind: 'REMITTANCE', id: r.remittance.remittanceId } }, items: r.items, owner: { branch: r.remittance.branch, unitId: r.remittance.unitId }, afterCommit: r.afterCommit };
  if (r.reason !== 'NOT_FOUND') return null;
  const l = await planRepaymentByBank({ loanId: ref, amountFen: n.amount, bankRef, paidOn: n.valueDate, at, actor });
  return l.ok ? { answer: { matched: { kind: 'LOAN', id: l.repayment.loanId } }, items: l.items, owner: {} } : null;
}

export async function receiveNotification(call: VerifiedBankCall, n: NotificationBody, log: Logger): Promise<NoticeAnswer> {
  const bankCode = call.bank.bankCode;
  // a notice to an account that is not one of this bank's collection accounts is refused (the nonce is spent)
  if (!isCollectionAccountOf(call.bank, n.accountNo)) {
    await commit({ plan: async () => ({ items: [await call.nonce()], body: null }) });
    fail('POLICY_VIOLATION', `Account ${n.accountNo} is not a collection account of bank ${bankCode} / 该账户不是本行的归集专户`);
  }
  let after: (() => Promise<void>) | undefined;
  const out = await commit({
    plan: async () => {
      after = undefined;
      const nonce = await call.nonce();
      const seen = await getNotice(bankCode, n.notificationId);
      if (seen) return { items: [nonce], body: seen.answer };
      const at = now();
      const receivedAt = at.toISOString();
      const match = await planMatch(bankCode, n, at);
      const answer: NoticeAnswer = match?.answer ?? { matched: null };
      const itemId = match ? undefined : suspenseItemIdOf(bankCode, n.notificationId);
      const notice: Notice = { bankCode, notificationId: n.notificationId, accountNo: n.accountNo, amountFen: n.amount, valueDate: n.valueDate, payerName: n.payerName, payerAccount: n.payerAccount, reference: n.reference, answer, ...(itemId ? { suspenseItemId: itemId } : {}), receivedAt };
      const items: TxItem[] = [nonce, newNoticeItem(notice), ...(match?.items ?? [])];
      if (itemId) {
        const s: SuspenseItem = { itemId, bankCode, notificationId: n.notificationId, accountNo: n.accountNo, amountFen: n.amount, valueDate: n.valueDate, payerName: n.payerName, payerAccount: n.payerAccount, reference: n.reference, status: 'OPEN', receivedAt, updatedAt: receivedAt };
        items.push(putSuspenseItem(s));
      }
      items.push(
        archiveItem({
          subjectType: 'BANK_NOTICE',
          subjectId: `${bankCode}:${n.notificationId}`,
          action: 'ARRIVAL_NOTICE',
          actor: { sub: `bank:${bankCode}`, role: 'bank' },
          submitted: { ...n, amount: fenToYuan(n.amount) },
          decision: itemId ? { matched: null, suspenseItemId: itemId } : answer,
          owner: match?.owner ?? {},
          at: receivedAt,
          dedupeKey: 'RECEIVED',
        }),
      );
      after = match?.afterCommit;
      return { items, body: answer };
    },
  });
  await sendAfterCommit('arrival notice', after, log, { notificationId: n.notificationId });
  return out.body;
}
