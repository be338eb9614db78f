// The seller a loan disbursement pays (api.md v1.1 "Banks and settlement": disburse body adds
// `payee: { name, bankAccount }`). An account the bank simulator settles (one ending in 0000 fails).
import { call } from './http.ts';

export const SELLER = { name: '杭州安居置业有限公司', bankAccount: '6222021234567890123' } as const;

/** A seller whose account the bank simulator refuses (ACCOUNT_NOT_FOUND: it ends in 0000). */
export const FAILING_SELLER = { name: '杭州无账户置业有限公司', bankAccount: '6222021234567890000' } as const;

/**
 * Waits until the bank has answered a disbursement's payment order (the local runtime's simulator
 * settles it a moment after the disbursement): a test comparing a loan's answer before and after
 * something must not see the payment's status change in between.
 */
export async function disbursementPaid(loanId: string, token: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call('GET', `/v1/loans/${loanId}`, { token });
    if (res.status === 200 && res.body.payment && res.body.payment.status !== 'ORDERED') return;
    if (Date.now() > deadline) throw new Error(`the disbursement of ${loanId} has no payment result after ${timeoutMs} ms: ${JSON.stringify(res.body?.payment)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
