// Partner registry and the verification of partners' signed calls (api.md, Inter-provincial). A
// partner's shared secret is sealed before it is stored (shared/secrets.ts, bound to the center code)
// and opened only to sign or verify: never returned, never logged, never in the table in plaintext.
import { commit } from '../../../shared/tx.ts';
import { nowIso, nowSeconds as clockSeconds } from '../../../shared/clock.ts';
import { DomainError } from '../../../shared/errors.ts';
import { openSecret, sealSecret, SealedSecretError } from '../../../shared/secrets.ts';
import { readSignatureHeaders, signatureMatches } from '../../../shared/signature.ts';
import type { Logger } from '../../../shared/log.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { getPartner, nonceItem, nonceSeen, putPartnerItem, type StoredPartner } from '../store.ts';
import { partnerView } from '../domain/views.ts';
import { partnerSecretContext, type Partner } from '../domain/types.ts';
import { CENTER_CODE, type PartnerBody } from '../schemas.ts';

/** Registers or updates a partner: 201 when created, 200 when updated; the secret is sealed, never returned. */
export async function registerPartner(centerCode: string, body: PartnerBody) {
  const { sharedSecret, ...fields } = body;
  const sealedSecret = await sealSecret(sharedSecret, partnerSecretContext(centerCode));
  let created = false;
  const out = await commit({
    plan: async () => {
      const previous = await getPartner(centerCode);
      const now = nowIso();
      created = !previous;
      const partner: Partner = { centerCode, ...fields, sealedSecret, createdAt: previous?.createdAt ?? now, updatedAt: now };
      return { items: [putPartnerItem(partner, previous)], body: partnerView(partner) };
    },
  });
  return { status: created ? 201 : 200, body: out.body };
}

/**
 * The partner's shared secret, opened (to sign or verify). A record of before sealing still answers
 * with its plaintext secret (the http function seals it on the partner's next verified call:
 * `sealPlaintextSecret`). Throws SealedSecretError when the sealed value does not open for this center.
 */
export async function partnerSecret(p: StoredPartner): Promise<string> {
  if (p.sealedSecret) return openSecret(p.sealedSecret, partnerSecretContext(p.centerCode));
  if (p.plaintextSecret) return p.plaintextSecret;
  throw new SealedSecretError(`partner ${p.centerCode} has no secret`);
}

/** Seals the plaintext secret of a record of before in place (conditioned on the record as read). */
async function sealPlaintextSecret(p: StoredPartner & { plaintextSecret: string }, log: Logger | undefined): Promise<void> {
  const { plaintextSecret, ...rest } = p;
  const sealedSecret = await sealSecret(plaintextSecret, partnerSecretContext(p.centerCode));
  try {
    await commit({ plan: async () => ({ items: [putPartnerItem({ ...rest, sealedSecret }, p)], body: null }) });
    log?.info('partner secret sealed in place', { partner: p.centerCode });
  } catch (error) {
    // a concurrent registration or upgrade won: the record is sealed by it (or will be on the next call)
    log?.warn('sealing a plaintext partner secret failed; retried on the next call', { partner: p.centerCode, error });
  }
}

export interface SignedCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  rawBody: string;
}

/** The partner of a verified call, as the use cases see it (its secret is not theirs to read). */
export type CallingPartner = Pick<Partner, 'centerCode' | 'name' | 'callbackUrl' | 'apiBaseUrl'>;

/** A partner call whose signature checked out: commit `nonce` with whatever the call does. */
export interface VerifiedCall {
  partner: CallingPartner;
  /** The nonce item (refused if seen meanwhile): part of the call's transaction, so a refused call records nothing. */
  nonce: () => Promise<TxItem>;
}

const refuse = (): never => {
  throw new DomainError('SIGNATURE_INVALID', 'The request signature is invalid / 签名验证失败');
};

/**
 * Verifies a signed partner call (api.md): known center, timestamp within the window, well-formed
 * nonce not seen before, HMAC over the raw body compared in constant time. Any failure is the same
 * 401 SIGNATURE_INVALID, and nothing is written. A partner secret that does not open (a sealed value
 * not of this center: the table was tampered with) is refused too, and logged as an error.
 */
export async function verifyPartnerCall(call: SignedCall, log?: Logger): Promise<VerifiedCall> {
  const nowSeconds = clockSeconds();
  const h = readSignatureHeaders(call.headers, nowSeconds);
  // a center code no partner can have is not looked up (a longer one is no DynamoDB key)
  if (!h || !CENTER_CODE.test(h.center)) return refuse();
  const partner = await getPartner(h.center);
  if (!partner) return refuse();
  let secret: string;
  try {
    secret = await partnerSecret(partner);
  } catch (error) {
    if (!(error instanceof SealedSecretError)) throw error; // KMS unavailable: a 500, retried by the partner
    log?.error('partner secret does not open', { partner: h.center, error: error.message });
    return refuse();
  }
  if (!signatureMatches(secret, { method: call.method, path: call.path, timestamp: h.timestamp, nonce: h.nonce, rawBody: call.rawBody }, h.signature)) return refuse();
  const check = async () => {
    if (await nonceSeen(h.center, h.nonce, nowSeconds)) refuse();
  };
  await check();
  if (partner.plaintextSecret) await sealPlaintextSecret({ ...partner, plaintextSecret: partner.plaintextSecret }, log);
  const { centerCode, name, callbackUrl, apiBaseUrl } = partner;
  return {
    partner: { centerCode, name, callbackUrl, ...(apiBaseUrl ? { apiBaseUrl } : {}) },
    nonce: async () => {
      await check(); // re-checked in every attempt of the caller's plan: a concurrent twin loses with 401
      return nonceItem(h.center, h.nonce, nowSeconds);
    },
  };
}

/** A signed read: verifies and records the nonce (replayed reads are refused too). */
export async function verifyPartnerRead(call: SignedCall, log?: Logger): Promise<CallingPartner> {
  const v = await verifyPartnerCall(call, log);
  await commit({ plan: async () => ({ items: [await v.nonce()], body: null }) });
  return v.partner;
}
