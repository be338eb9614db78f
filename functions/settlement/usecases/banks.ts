// Bank registry and the verification of banks' signed calls (api.md "Banks and settlement"): the
// partner scheme of shared/signature.ts with `X-HPF-Bank` naming the bank. A bank's shared secret is
// sealed before it is stored (bound to the bank code) and opened only to sign or verify.
import { commit } from '../../../shared/tx.ts';
import { nowIso, nowSeconds as clockSeconds } from '../../../shared/clock.ts';
import { DomainError } from '../../../shared/errors.ts';
import { openSecret, sealSecret, SealedSecretError } from '../../../shared/secrets.ts';
import { readSignatureHeaders, signatureMatches } from '../../../shared/signature.ts';
import type { Logger } from '../../../shared/log.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { getBank, nonceItem, nonceSeen, putBankItem } from '../store.ts';
import { bankSecretContext, bankView, type Bank } from '../domain/types.ts';
import { registeredAccounts } from '../domain/rules.ts';
import { BANK_CODE, type BankBody } from '../schemas.ts';

export const BANK_HEADER = 'x-hpf-bank' as const;

/** Registers or updates a bank: 201 created, 200 updated; the secret sealed, never returned. */
export async function registerBank(bankCode: string, body: BankBody) {
  const { sharedSecret, accounts, ...fields } = body;
  const sealedSecret = await sealSecret(sharedSecret, bankSecretContext(bankCode));
  let created = false;
  const out = await commit({
    plan: async () => {
      const previous = await getBank(bankCode);
      const now = nowIso();
      created = !previous;
      const bank: Bank = { bankCode, ...fields, sealedSecret, accounts: registeredAccounts(accounts, now), createdAt: previous?.createdAt ?? now, updatedAt: now };
      return { items: [putBankItem(bank, previous)], body: bankView(bank) };
    },
  });
  return { status: created ? 201 : 200, body: out.body };
}

/** The bank's shared secret, opened (to sign or verify). Throws SealedSecretError when it does not open for this bank. */
export const bankSecret = (b: Pick<Bank, 'bankCode' | 'sealedSecret'>): Promise<string> => openSecret(b.sealedSecret, bankSecretContext(b.bankCode));

export interface SignedCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  rawBody: string;
}

/** A bank call whose signature checked out: commit `nonce()` with whatever the call does. */
export interface VerifiedBankCall {
  bank: Bank;
  nonce: () => Promise<TxItem>;
}

const refuse = (): never => {
  throw new DomainError('SIGNATURE_INVALID', 'The request signature is invalid / 签名验证失败');
};

/**
 * Verifies a bank's signed call: known bank (X-HPF-Bank), timestamp within the window, nonce not seen,
 * HMAC over the raw body (constant time). Any failure is the same 401 SIGNATURE_INVALID and nothing is
 * written; a secret that does not open for this bank is refused and logged.
 */
export async function verifyBankCall(call: SignedCall, log?: Logger): Promise<VerifiedBankCall> {
  const nowSeconds = clockSeconds();
  const h = readSignatureHeaders(call.headers, nowSeconds, BANK_HEADER);
  if (!h || !BANK_CODE.test(h.center)) return refuse();
  const bank = await getBank(h.center);
  if (!bank) return refuse();
  let secret: string;
  try {
    secret = await bankSecret(bank);
  } catch (error) {
    if (!(error instanceof SealedSecretError)) throw error;
    log?.error('bank secret does not open', { bank: h.center, error: error.message });
    return refuse();
  }
  if (!signatureMatches(secret, { method: call.method, path: call.path, timestamp: h.timestamp, nonce: h.nonce, rawBody: call.rawBody }, h.signature)) return refuse();
  const check = async () => {
    if (await nonceSeen(h.center, h.nonce, nowSeconds)) refuse();
  };
  await check();
  return {
    bank,
    nonce: async () => {
      await check(); // re-checked in every attempt: a concurrent replay of the same nonce loses with 401
      return nonceItem(h.center, h.nonce, nowSeconds);
    },
  };
}
