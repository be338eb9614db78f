// The seller a loan disbursement pays (api.md v1.1 "Banks and settlement": disburse body adds
// `payee: { name, bankAccount }`). An account the bank simulator settles (one ending in 0000 fails).
export const SELLER = { name: '杭州安居置业有限公司', bankAccount: '6222021234567890123' } as const;

/** A seller whose account the bank simulator refuses (ACCOUNT_NOT_FOUND: it ends in 0000). */
export const FAILING_SELLER = { name: '杭州无账户置业有限公司', bankAccount: '6222021234567890000' } as const;
