// Partner registry and the verification of partners' signed calls (api.md, Inter-provincial).
import { commit } from '../../../shared/tx.ts';
import { nowIso } from '../../../shared/clock.ts';
import { DomainError } from '../../../shared/errors.ts';
import { readSignatureHeaders, signatureMatches } from '../../../shared/signature.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { getPartner, nonceItem, nonceSeen, putPartnerItem } from '../store.ts';
import { partnerView } from '../domain/views.ts';
import type { Partner } from '../domain/types.ts';
import type { PartnerBody } from '../schemas.ts';

/** Registers or updates a partner: 201 when created, 200 when updated; the secret is never returned. */
export async function registerPartner(centerCode: string, body: PartnerBody) {
  let created = false;
  const out = await commit({
    plan: async () => {
      const previous = await getPartner(centerCode);
      const now = nowIso();
      created = !previous;
      const partner: Partner = { centerCode, ...body, createdAt: previous?.createdAt ?? now, updatedAt: now };
      return { items: [putPartnerItem(partner, previous)], body: partnerView(partner) };
    },
  });
  return { status: created ? 201 : 200, body: out.body };
}

export interface SignedCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  rawBody: string;
}

/** A partner call whose signature checked out: commit `nonce` with whatever the call does. */
export interface VerifiedCall {
  partner: Partner;
  /** The nonce item (refused if seen meanwhile): part of the call's transaction, so a refused call records nothing. */
  nonce: () => Promise<TxItem>;
}

const refuse = (): never => {
  throw new DomainError('SIGNATURE_INVALID', 'The request signature is invalid / 签名验证失败');
};

/**
 * Verifies a signed partner call (api.md): known center, timestamp within the window, well-formed
 * nonce not seen before, HMAC over the raw body compared in constant time. Any failure is the same
 * 401 SIGNATURE_INVALID, and nothing is written.
 */
export async function verifyPartnerCall(call: SignedCall): Promise<VerifiedCall> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const h = readSignatureHeaders(call.headers, nowSeconds);
  if (!h) return refuse();
  const partner = await getPartner(h.center);
  if (!partner || !signatureMatches(partner.sharedSecret, { method: call.method, path: call.path, timestamp: h.timestamp, nonce: h.nonce, rawBody: call.rawBody }, h.signature)) return refuse();
  const check = async () => {
    if (await nonceSeen(h.center, h.nonce, nowSeconds)) refuse();
  };
  await check();
  return {
    partner,
    nonce: async () => {
      await check(); // re-checked in every attempt of the caller's plan: a concurrent twin loses with 401
      return nonceItem(h.center, h.nonce, nowSeconds);
    },
  };
}

/** A signed read: verifies and records the nonce (replayed reads are refused too). */
export async function verifyPartnerRead(call: SignedCall): Promise<Partner> {
  const v = await verifyPartnerCall(call);
  await commit({ plan: async () => ({ items: [await v.nonce()], body: null }) });
  return v.partner;
}
