// What other domains may use of the inter-provincial domain (architecture.md: "Flows that cross
// domains"). Nothing else of functions/interprovincial/ is imported from outside it.
import { getTransfer } from './store.ts';

/** What a rating of a transfer needs: the receiving account (the member who may rate it) and whether it completed. */
export interface TransferForRating {
  /** The account here that receives the transfer (`toAccountNo`). */
  accountNo: string;
  /** That account's branch. */
  branch?: string;
  /** The transfer is COMPLETED (the money arrived). */
  completed: boolean;
}

/** A transfer we requested from a partner (转入), as a member's satisfaction rating sees it; undefined when there is none. */
export async function transferForRating(transferId: string): Promise<TransferForRating | undefined> {
  if (typeof transferId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(transferId)) return undefined; // never a key DynamoDB refuses
  const t = await getTransfer(transferId);
  return t ? { accountNo: t.toAccountNo, branch: t.branch, completed: t.status === 'COMPLETED' } : undefined;
}

/**
 * planTransferPaymentResult (issue 16): the bank's result of a transfer out's payment order to the
 * receiving center's settlement account (source { kind: 'TRANSFER_OUT', id: trackingId }), planned for
 * the settlement domain's ONE result transaction: the request's `payment` (staff: GET
 * /v1/interprovincial/requests/{trackingId}) SETTLED, or FAILED with the bank's reason, and an archive
 * record. The member's account stays closed (the partner credited the member): a failed payment is for
 * staff to pay again. Conditioned on the payment being ORDERED: committed twice, it applies once. No
 * items for an unknown request, another payment, or one that already has its result.
 */
export { planTransferPaymentResult, type TransferPaymentResultInput } from './usecases/transfer-payments.ts';
