// The inter-provincial input edge (functions/interprovincial/schemas.ts): canonical values out,
// invisible and look-alike characters refused, money and dates bounded, and no input at all makes a
// schema throw (a throw at the edge would be a 500).
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { callbackBody, inboundBody, partnerBody, transferBody } from '../../functions/interprovincial/schemas.ts';

const who = { idNumber: '510104199001010078', name: '张三' };
const purchase = { ...who, amount: '1000.5', contractNo: 'ht-2026-001', propertyCertificateNo: 'ＰＣ－２０２６－００１', price: '800000', purchaseDate: '2026-06-01' };
const inbound = (type: string, payload: Record<string, unknown>) => inboundBody.safeParse({ requestId: 'R-1', type, payload });

describe('inbound payloads', () => {
  it('come out canonical: document numbers NFKC and upper case, names NFC, amounts kept as yuan text', () => {
    const r = inbound('PURCHASE_WITHDRAWAL', { ...purchase, name: 'Jose\u0301' });
    expect(r.success).toBe(true);
    expect(r.data?.payload).toEqual({ ...purchase, name: 'José', contractNo: 'HT-2026-001', propertyCertificateNo: 'PC-2026-001' });
  });

  it.each([
    ['zero-width space in a certificate', { propertyCertificateNo: 'PC-1\u200b' }],
    ['zero-width non-joiner in a contract', { contractNo: 'HT\u200c1' }],
    ['soft hyphen', { propertyCertificateNo: 'PC\u00ad1' }],
    ['Cyrillic look-alike', { propertyCertificateNo: 'РС-1' }],
    ['name of only a word joiner', { name: '\u2060' }],
    ['name with a bidi override', { name: '张\u202e三' }],
    ['amount over the named maximum', { amount: '1000000000.01' }],
    ['amount zero', { amount: '0' }],
    ['amount an unsafe integer', { amount: '9999999999999.99' }],
    ['purchase in year 9999', { purchaseDate: '9999-12-01' }],
    ['purchase before 1950', { purchaseDate: '1949-12-31' }],
    ['city of a control character', { city: '\u0007' }],
  ])('refuses %s', (_what, change) => {
    expect(inbound('PURCHASE_WITHDRAWAL', { ...purchase, ...change }).success).toBe(false);
  });

  it('keeps near-future dates for the rules to reject with their own code', () => {
    expect(inbound('RETIREMENT_WITHDRAWAL', { ...who, retirementDate: '2027-06-01' }).success).toBe(true);
    expect(inbound('RETIREMENT_WITHDRAWAL', { ...who, retirementDate: '2099-01-01' }).success).toBe(false);
  });
});

describe('partner registration', () => {
  const good = { name: 'Partner', callbackUrl: 'https://partner.example/cb', sharedSecret: 'a-very-long-shared-secret' };
  it.each([
    ['credentials in the callback URL', { callbackUrl: 'https://u:p@partner.example/cb' }],
    ['a user name in the API base URL', { apiBaseUrl: 'https://u@partner.example' }],
    ['a newline in a URL', { callbackUrl: 'https://partner.example/\ncb' }],
    ['a non-ASCII URL', { callbackUrl: 'https://pártner.example/cb' }],
    ['a secret with a space', { sharedSecret: 'a very long shared secret' }],
    ['a secret with a non-ASCII character', { sharedSecret: 'a-very-long-shared-secrét' }],
    ['a name of an invisible character only', { name: '\u200b' }],
  ])('refuses %s', (_what, change) => {
    expect(partnerBody.safeParse({ ...good, ...change }).success).toBe(false);
  });
  it('accepts the ordinary registration', () => {
    expect(partnerBody.safeParse(good).success).toBe(true);
  });
});

describe('no input makes the edge throw', () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  const tricky = fc.constantFrom('\u200b', '\u202e', '\ud800', '\u0085', 'Р', '9999999999999.99', '1e9', '-1', '9999-12-01', '', ' ', 'x'.repeat(300));
  const value = fc.oneof(json, tricky, fc.string({ unit: 'binary' }));
  it('for any payload of any type, any callback, any registration, any transfer request', () => {
    fc.assert(
      fc.property(fc.constantFrom('BALANCE_INQUIRY', 'RETIREMENT_WITHDRAWAL', 'PURCHASE_WITHDRAWAL', 'FULL_PREPAYMENT', 'NOPE'), fc.dictionary(fc.constantFrom('idNumber', 'name', 'amount', 'price', 'contractNo', 'propertyCertificateNo', 'purchaseDate', 'retirementDate', 'city', 'loanContractNo', 'x'), value), value, (type, payload, any) => {
        expect(() => inbound(type, { ...who, ...payload })).not.toThrow();
        expect(() => callbackBody.safeParse({ trackingId: 'T1', requestId: 'X1', type: 'TRANSFER_REQUEST', status: 'COMPLETED', result: { amount: any } })).not.toThrow();
        expect(() => callbackBody.safeParse(any)).not.toThrow();
        expect(() => partnerBody.safeParse({ name: any, callbackUrl: any, sharedSecret: any })).not.toThrow();
        expect(() => transferBody.safeParse({ ...who, name: any, fromCenter: any, toAccountNo: any })).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });
});
