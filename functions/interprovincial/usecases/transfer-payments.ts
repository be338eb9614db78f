// A transfer out's payment result (issue 16): recorded on the partner's request, for the settlement
// domain's result transaction (interprovincial public.ts `planTransferPaymentResult`).
import { archiveItem } from '../../../shared/archive.ts';
import { accountNoByIdNumber, getAccount } from '../../../shared/ledger/ledger.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { isRecordId } from '../schemas.ts';
import { getRequest, putRequestPaymentItem } from '../store.ts';
import { memberOwnerOf, requestArchive } from '../domain/archive.ts';
import { withTransferPaymentResult } from '../domain/payments.ts';
import type { PaymentResult } from '../../settlement/public.ts';

export interface TransferPaymentResultInput extends PaymentResult {
  trackingId: string;
  /** Who reported it, for the archive (default `{ sub: 'bank', role: 'bank' }`; settlement passes `bank:<bankCode>`). */
  actor?: { sub: string; role: string };
}

/**
 * The interprovincial items of a bank's result of a transfer out's payment: the request's `payment`
 * SETTLED or FAILED with the bank's reason (conditioned on it being still ORDERED: applied once), and
 * an archive record (INTERPROVINCIAL_REQUEST, action TRANSFER_PAYMENT_SETTLED | TRANSFER_PAYMENT_FAILED).
 * No items when the result changes nothing.
 */
export async function planTransferPaymentResult(input: TransferPaymentResultInput): Promise<TxItem[]> {
  if (!isRecordId(input.trackingId)) return [];
  const r = await getRequest(input.trackingId);
  if (!r) return [];
  const next = withTransferPaymentResult(r, input);
  if (!next) return [];
  const accountNo = typeof r.payload.idNumber === 'string' ? await accountNoByIdNumber(r.payload.idNumber) : undefined;
  const owner = memberOwnerOf(accountNo ? await getAccount(accountNo) : undefined, r.payload);
  const payment = next.payment!;
  return [
    putRequestPaymentItem(next),
    archiveItem({
      ...requestArchive(next, input.status === 'SETTLED' ? 'TRANSFER_PAYMENT_SETTLED' : 'TRANSFER_PAYMENT_FAILED', owner),
      actor: input.actor ?? { sub: 'bank', role: 'bank' },
      submitted: { paymentId: input.paymentId, status: input.status, bankRef: input.bankRef, ...(input.failure ? { failure: input.failure } : {}) },
      decision: { status: payment.status, ...(payment.failure ? { failure: payment.failure } : {}) },
      at: input.at,
      dedupeKey: `PAYMENT#${input.paymentId}`,
    }),
  ];
}
