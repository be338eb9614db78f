// Issue 14, finding 3 and the inter-provincial input edge, against the running local runtime:
//  - a partner's shared secret is stored sealed (shared/secrets.ts): the raw item, and the whole
//    interprovincial table, hold no trace of it, yet signatures still verify both ways; a secret
//    stored in plaintext before is sealed on the partner's next signed call; a sealed secret copied
//    onto another partner does not open there;
//  - every partner input is a 400/401/404 problem document at its boundary, never a 500.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { baseUrl, call, adminToken, staffToken } from '../support/http.ts';
import { openFundedAccount } from '../support/fixtures.ts';
import { signature, signatureMatches } from '../../shared/signature.ts';
import { ddb } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import { getRequest } from '../../functions/interprovincial/store.ts';

const REQUESTS = '/v1/interprovincial/requests';
const PARTNERS = '/v1/interprovincial/partners';
const T = () => tableName('interprovincial');
const rawPartner = async (code: string) => (await ddb.send(new GetCommand({ TableName: T(), Key: { pk: `PARTNER#${code}`, sk: 'PARTNER' }, ConsistentRead: true }))).Item;

/** Every encoding of `secret` a careless store could hold. */
const forms = (secret: string) => [secret, Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url'), Buffer.from(secret).toString('hex')];

async function signed(method: 'GET' | 'POST', path: string, body: unknown, center: string, secret: string, rawBody?: string) {
  const raw = rawBody ?? (body === undefined ? '' : JSON.stringify(body));
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(12).toString('hex');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-hpf-center': center,
    'x-hpf-timestamp': timestamp,
    'x-hpf-nonce': nonce,
    'x-hpf-signature': signature(secret, { method, path, timestamp, nonce, rawBody: raw }),
  };
  const res = await fetch(`${baseUrl()}${path}`, { method, headers, body: raw || undefined });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed };
}

const until = async <T>(fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> => {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 150));
  }
};

const callbacks: { headers: Record<string, string>; body: string; path: string }[] = [];
let server: Server;
let callbackUrl: string;

const register = async (code: string, secret: string, extra: Record<string, unknown> = {}) =>
  call('PUT', `${PARTNERS}/${code}`, { token: await adminToken(), body: { name: `Partner ${code}`, callbackUrl, sharedSecret: secret, ...extra } });

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      callbacks.push({ headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8'), path: req.url ?? '' });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  callbackUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/cb`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('partner secrets are sealed (finding 3)', () => {
  it('the stored partner holds no trace of the secret, anywhere in the table; signatures still verify both ways', async () => {
    const code = `SEC${randomBytes(4).toString('hex')}`;
    const secret = `sealed-${randomUUID()}`;
    expect((await register(code, secret)).status).toBe(201);

    const item = await rawPartner(code);
    expect(item).toBeDefined();
    expect(item!.sharedSecret).toBeUndefined();
    const text = JSON.stringify(item);
    for (const f of forms(secret)) expect(text).not.toContain(f);

    // inbound: the partner's signed request verifies; outbound: our callback is signed with its secret
    const a = await openFundedAccount({ balanceFen: 10_000, status: 'SEALED', name: '王五' });
    const sent = await signed('POST', REQUESTS, { requestId: `R-${randomUUID()}`, type: 'BALANCE_INQUIRY', payload: { idNumber: a.idNumber, name: a.name } }, code, secret);
    expect(sent.status).toBe(202);
    const cb = await until(async () => callbacks.find((c) => c.body.includes(sent.body.trackingId)));
    expect(cb.headers['x-hpf-center']).toBe('330100');
    expect(signatureMatches(secret, { method: 'POST', path: '/cb', timestamp: cb.headers['x-hpf-timestamp'], nonce: cb.headers['x-hpf-nonce'], rawBody: cb.body }, cb.headers['x-hpf-signature'])).toBe(true);

    // nowhere in the table (every record of every partner, request, nonce and outbox message)
    let start: Record<string, unknown> | undefined;
    let scanned = 0;
    do {
      const page = await ddb.send(new ScanCommand({ TableName: T(), ExclusiveStartKey: start }));
      for (const i of page.Items ?? []) {
        const s = JSON.stringify(i);
        for (const f of forms(secret)) expect(s).not.toContain(f);
        expect(i.sharedSecret, String(i.pk)).toBeUndefined();
      }
      scanned += page.Items?.length ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    expect(scanned).toBeGreaterThan(0);
  });

  it('a re-registered secret replaces the old one at once (the old one is refused)', async () => {
    const code = `ROT${randomBytes(4).toString('hex')}`;
    const [first, second] = [`first-${randomUUID()}`, `second-${randomUUID()}`];
    expect((await register(code, first)).status).toBe(201);
    expect((await signed('GET', `${REQUESTS}/T-NONE`, undefined, code, first)).status).toBe(404);
    expect((await register(code, second)).status).toBe(200);
    expect((await signed('GET', `${REQUESTS}/T-NONE`, undefined, code, first)).status).toBe(401);
    expect((await signed('GET', `${REQUESTS}/T-NONE`, undefined, code, second)).status).toBe(404);
    const text = JSON.stringify(await rawPartner(code));
    for (const f of [...forms(first), ...forms(second)]) expect(text).not.toContain(f);
  });

  it('a sealed secret copied onto another partner does not open there (the seal is bound to the center code)', async () => {
    const [victim, thief] = [`VIC${randomBytes(4).toString('hex')}`, `THF${randomBytes(4).toString('hex')}`];
    const secret = `victim-${randomUUID()}`;
    expect((await register(victim, secret)).status).toBe(201);
    expect((await register(thief, `thief-${randomUUID()}`)).status).toBe(201);
    const stolen = await rawPartner(victim);
    const item = await rawPartner(thief);
    await ddb.send(new PutCommand({ TableName: T(), Item: { ...item, sealedSecret: stolen!.sealedSecret } }));
    const res = await signed('GET', `${REQUESTS}/T-NONE`, undefined, thief, secret);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('SIGNATURE_INVALID');
  });

  it('a secret stored in plaintext before this change is sealed on the partner\'s next signed call', async () => {
    const code = `OLD${randomBytes(4).toString('hex')}`;
    const secret = `legacy-${randomUUID()}`;
    const at = new Date().toISOString();
    await ddb.send(new PutCommand({ TableName: T(), Item: { pk: `PARTNER#${code}`, sk: 'PARTNER', centerCode: code, name: 'Legacy partner', callbackUrl, sharedSecret: secret, createdAt: at, updatedAt: at } }));
    expect((await signed('GET', `${REQUESTS}/T-NONE`, undefined, code, `wrong-${randomUUID()}`)).status).toBe(401);
    expect((await rawPartner(code))!.sharedSecret).toBe(secret); // a refused call changes nothing
    expect((await signed('GET', `${REQUESTS}/T-NONE`, undefined, code, secret)).status).toBe(404);
    const item = await rawPartner(code);
    expect(item!.sharedSecret).toBeUndefined();
    expect(item!.sealedSecret).toMatch(/^hpfs1\./);
    for (const f of forms(secret)) expect(JSON.stringify(item)).not.toContain(f);
    expect((await signed('GET', `${REQUESTS}/T-NONE`, undefined, code, secret)).status).toBe(404);
  });
});

describe('the inter-provincial input edge: bad input is a 4xx problem, never a 500', () => {
  const code = `EDG${randomBytes(4).toString('hex')}`;
  const secret = `edge-${randomUUID()}`;
  beforeAll(async () => {
    expect((await register(code, secret)).status).toBe(201);
  });

  const request = (type: string, payload: Record<string, unknown>) => signed('POST', REQUESTS, { requestId: `R-${randomUUID()}`, type, payload }, code, secret);

  it('partner registration: names, URLs, secrets and center codes at their boundaries', async () => {
    const good = { name: '北京住房公积金管理中心', callbackUrl, sharedSecret: `ok-${randomUUID()}` };
    const cases: [string, Record<string, unknown>, string?][] = [
      ['name only a zero-width space', { ...good, name: '\u200b' }],
      ['name with a bidi override', { ...good, name: 'Partner \u202Eevil' }],
      ['name with a C1 control', { ...good, name: 'Partner\u0085' }],
      ['name of 101 characters', { ...good, name: 'x'.repeat(101) }],
      ['callback URL with credentials (a secret in plaintext)', { ...good, callbackUrl: 'https://user:pass@partner.example/cb' }],
      ['callback URL with a tab (silently dropped by URL parsers)', { ...good, callbackUrl: 'https://partner.exa\tmple/cb' }],
      ['callback URL not http(s)', { ...good, callbackUrl: 'file:///etc/passwd' }],
      ['api base URL of 2049 characters', { ...good, apiBaseUrl: `https://p.example/${'a'.repeat(2049 - 18)}` }],
      ['secret with a control character', { ...good, sharedSecret: `secret-with-newline\n-${randomUUID()}` }],
      ['secret of 257 characters', { ...good, sharedSecret: 's'.repeat(257) }],
      ['secret of 15 characters', { ...good, sharedSecret: 's'.repeat(15) }],
      ['secret not a string', { ...good, sharedSecret: 1234567890123456789 }],
      ['center code of 33 characters', good, 'C'.repeat(33)],
      ['center code with a space', good, 'AB%20CD'],
    ];
    for (const [what, body, c] of cases) {
      const res = await call('PUT', `${PARTNERS}/${c ?? `NEW${randomBytes(3).toString('hex')}`}`, { token: await adminToken(), body });
      expect(res.status, what).toBe(400);
      expect(res.body.code, what).toBe('VALIDATION_FAILED');
    }
    // canonical text is stored: a name is NFC and trimmed
    const c = `NFC${randomBytes(3).toString('hex')}`;
    const ok = await call('PUT', `${PARTNERS}/${c}`, { token: await adminToken(), body: { ...good, name: '  Cafe\u0301 center ' } });
    expect(ok.status).toBe(201);
    expect(ok.body.name).toBe('Café center');
  });

  it('payload names, document numbers, money and dates at their boundaries are 400', async () => {
    const a = await openFundedAccount({ balanceFen: 100_000_00, status: 'SEALED', name: '王五' });
    const who = { idNumber: a.idNumber, name: a.name };
    const purchase = { ...who, amount: '1000', contractNo: 'HT-2026-001', propertyCertificateNo: 'PC-2026-001', price: '500000', purchaseDate: '2026-06-01' };
    const cases: [string, string, Record<string, unknown>][] = [
      ['name only a zero-width space', 'BALANCE_INQUIRY', { ...who, name: '\u200b' }],
      ['name with a zero-width space inside', 'BALANCE_INQUIRY', { ...who, name: '王\u200b五' }],
      ['name with an RTL override', 'TRANSFER_REQUEST', { ...who, name: '\u202E五王' }],
      ['certificate with a zero-width space', 'PURCHASE_WITHDRAWAL', { ...purchase, propertyCertificateNo: 'PC-2026\u200b-001' }],
      ['certificate with a soft hyphen', 'PURCHASE_WITHDRAWAL', { ...purchase, propertyCertificateNo: 'PC-2026\u00ad-001' }],
      ['certificate with a Cyrillic look-alike', 'PURCHASE_WITHDRAWAL', { ...purchase, propertyCertificateNo: 'РC-2026-001' }],
      ['contract with a word joiner', 'PURCHASE_WITHDRAWAL', { ...purchase, contractNo: 'HT\u2060-2026-001' }],
      ['certificate of 65 characters', 'PURCHASE_WITHDRAWAL', { ...purchase, propertyCertificateNo: 'P'.repeat(65) }],
      ['amount an unsafe integer', 'PURCHASE_WITHDRAWAL', { ...purchase, amount: '9999999999999.99' }],
      ['price over the named maximum', 'PURCHASE_WITHDRAWAL', { ...purchase, price: '1000000000.01' }],
      ['amount a JSON number', 'PURCHASE_WITHDRAWAL', { ...purchase, amount: 1000 }],
      ['amount not a yuan string', 'PURCHASE_WITHDRAWAL', { ...purchase, amount: 'abc' }],
      ['price a date', 'PURCHASE_WITHDRAWAL', { ...purchase, price: '2026-01-01' }],
      ['purchase dated 9999-12-01', 'PURCHASE_WITHDRAWAL', { ...purchase, purchaseDate: '9999-12-01' }],
      ['purchase dated 0001-01-01', 'PURCHASE_WITHDRAWAL', { ...purchase, purchaseDate: '0001-01-01' }],
      ['city with a control character', 'PURCHASE_WITHDRAWAL', { ...purchase, city: 'Hang\u0007zhou' }],
      ['retirement dated 9999-12-01', 'RETIREMENT_WITHDRAWAL', { ...who, retirementDate: '9999-12-01' }],
      ['retirement dated 0001-01-01', 'RETIREMENT_WITHDRAWAL', { ...who, retirementDate: '0001-01-01' }],
      ['loan contract with a zero-width joiner', 'FULL_PREPAYMENT', { ...who, loanContractNo: 'LC\u200d-1' }],
    ];
    for (const [what, type, payload] of cases) {
      const res = await request(type, payload);
      expect(res.status, what).toBe(400);
      expect(res.body.code, what).toBe('VALIDATION_FAILED');
    }
  });

  it('the request stores the canonical payload (full-width and lower-case document numbers, NFC names)', async () => {
    const a = await openFundedAccount({ balanceFen: 100_000_00, status: 'SEALED', name: 'José' });
    const res = await request('PURCHASE_WITHDRAWAL', { idNumber: a.idNumber, name: 'Jose\u0301', amount: '1000', contractNo: 'ht－２０２６－００１', propertyCertificateNo: 'ｐｃ-2026-009', price: '500000', purchaseDate: '2026-06-01' });
    expect(res.status).toBe(202);
    const stored = await getRequest(res.body.trackingId);
    expect(stored?.payload).toMatchObject({ name: 'José', contractNo: 'HT-2026-001', propertyCertificateNo: 'PC-2026-009', amount: '1000' });
  });

  it('signature headers, path ids and cursors at their boundaries', async () => {
    // an X-HPF-Center no center can have (longer than any DynamoDB key)
    const longCenter = await signed('GET', `${REQUESTS}/T-NONE`, undefined, 'C'.repeat(3000), secret);
    expect(longCenter.status).toBe(401);
    expect(longCenter.body.code).toBe('SIGNATURE_INVALID');
    // ids no record can have: longer than any key (the HTTP core's 400), or outside the ids' alphabet (404)
    for (const [id, status] of [['T'.repeat(3000), 400], ['T'.repeat(129), 400], ['T~X', 404], ['T%E2%80%8BX', 404]] as const) {
      const asPartner = await signed('GET', `${REQUESTS}/${id}`, undefined, code, secret);
      expect(asPartner.status, id.slice(0, 12)).toBe(status);
      const asStaff = await call('GET', `${REQUESTS}/${id}`, { token: await staffToken() });
      expect(asStaff.status, id.slice(0, 12)).toBe(status);
      expect(asStaff.body.code).toBe(status === 400 ? 'VALIDATION_FAILED' : 'NOT_FOUND');
      const transfer = await call('GET', `/v1/interprovincial/transfer-requests/${id}`, { token: await staffToken() });
      expect(transfer.status, id.slice(0, 12)).toBe(status);
    }
    // a forged cursor, and one taken from another list
    for (const cursor of ['e30', Buffer.from(JSON.stringify({ pk: 'WD#1', sk: 'WD' })).toString('base64url'), Buffer.from(JSON.stringify({ pk: 'REQ#T1', sk: 'REQ', gsi1pk: 'IREQ#COMPLETED', gsi1sk: 42 })).toString('base64url')]) {
      const res = await call('GET', `${REQUESTS}?cursor=${cursor}`, { token: await staffToken() });
      expect(res.status, cursor).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });

  it('callbacks at their boundaries', async () => {
    const base = { trackingId: `PT-${randomUUID()}`, requestId: 'X-NONE', type: 'TRANSFER_REQUEST', status: 'COMPLETED', result: { amount: '10.00' } };
    let deep: Record<string, unknown> = { amount: '10.00' };
    for (let i = 0; i < 40; i++) deep = { nested: deep };
    const cases: [string, Record<string, unknown>][] = [
      ['amount an unsafe integer', { ...base, result: { amount: '9999999999999.99' } }],
      ['amount over the named maximum', { ...base, result: { amount: '1000000000.01' } }],
      ['amount not a yuan string', { ...base, result: { amount: '9999-12-01' } }],
      ['a result nested 40 deep', { ...base, result: { ...deep, amount: '10.00' } }],
      ['a result of 200 fields', { ...base, result: Object.fromEntries([['amount', '10.00'], ...Array.from({ length: 200 }, (_, i) => [`f${i}`, 'x'])]) }],
      ['a rejection message with a bidi override', { ...base, status: 'REJECTED', result: undefined, rejection: { code: 'ACCOUNT_FROZEN', message: 'frozen \u202E' } }],
      ['a rejection code with a zero-width space', { ...base, status: 'REJECTED', result: undefined, rejection: { code: 'ACCOUNT\u200bFROZEN', message: 'frozen' } }],
      ['a tracking id with a control character', { ...base, trackingId: 'PT-\u0001' }],
      ['a request id longer than 128', { ...base, requestId: 'X'.repeat(129) }],
    ];
    for (const [what, body] of cases) {
      const res = await signed('POST', '/v1/interprovincial/callbacks', body, code, secret);
      expect(res.status, what).toBe(400);
      expect(res.body.code, what).toBe('VALIDATION_FAILED');
    }
    // well-formed but about no transfer of ours
    expect((await signed('POST', '/v1/interprovincial/callbacks', base, code, secret)).status).toBe(404);
  });

  it('staff transfer requests: names and center codes at their boundaries', async () => {
    const a = await openFundedAccount({ balanceFen: 10_000, name: '李雷' });
    const good = { idNumber: a.idNumber, name: a.name, fromCenter: code, toAccountNo: a.accountNo };
    for (const [what, body] of [
      ['name only a zero-width space', { ...good, name: '\u200b' }],
      ['name with a zero-width space inside', { ...good, name: '李\u200b雷' }],
      ['name with a C1 control', { ...good, name: '李雷\u0085' }],
      ['from center of 33 characters', { ...good, fromCenter: 'C'.repeat(33) }],
    ] as const) {
      const res = await call('POST', '/v1/interprovincial/transfer-requests', { token: await staffToken(), body });
      expect(res.status, what).toBe(400);
      expect(res.body.code, what).toBe('VALIDATION_FAILED');
    }
  });
});
