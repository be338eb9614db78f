// API shapes (api.md) of the domain's records. Secrets never appear here.
import { fenToYuan } from '../../../shared/money.ts';
import { maskResidentId } from '../../../shared/validators.ts';
import type { InboundRequest, Partner, Transfer } from './types.ts';

export const partnerView = (p: Partner) => ({
  centerCode: p.centerCode,
  name: p.name,
  callbackUrl: p.callbackUrl,
  apiBaseUrl: p.apiBaseUrl ?? null,
  settlementAccount: p.settlementAccount ?? null,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
});

export const requestView = (r: InboundRequest) => ({
  trackingId: r.trackingId,
  requestId: r.requestId,
  partner: r.partner,
  type: r.type,
  status: r.status,
  ...(r.result ? { result: r.result } : {}),
  ...(r.rejection ? { rejection: r.rejection } : {}),
  receivedAt: r.receivedAt,
  updatedAt: r.updatedAt,
});

/** What staff see of a request: the partner's view and, for a completed transfer out, its payment to the partner's settlement account. */
export const staffRequestView = (r: InboundRequest) => ({
  ...requestView(r),
  ...(r.payment
    ? {
        payment: {
          paymentId: r.payment.paymentId,
          status: r.payment.status,
          amount: fenToYuan(r.payment.amountFen),
          payeeAccount: r.payment.payeeAccount,
          ...(r.payment.bankRef ? { bankRef: r.payment.bankRef } : {}),
          ...(r.payment.settledAt ? { settledAt: r.payment.settledAt } : {}),
          ...(r.payment.failure ? { failure: r.payment.failure } : {}),
        },
      }
    : {}),
});

export const transferView = (t: Transfer) => ({
  transferId: t.transferId,
  status: t.status,
  fromCenter: t.fromCenter,
  toAccountNo: t.toAccountNo,
  idNumberMasked: maskResidentId(t.idNumber),
  ...(t.theirTrackingId ? { trackingId: t.theirTrackingId } : {}),
  ...(t.amountFen !== undefined ? { amount: fenToYuan(t.amountFen) } : {}),
  ...(t.rejection ? { rejection: t.rejection } : {}),
  ...(t.cancelRequestedAt ? { cancelRequestedAt: t.cancelRequestedAt } : {}),
  ...(t.cancelRejection ? { cancelRejection: t.cancelRejection } : {}),
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
});
