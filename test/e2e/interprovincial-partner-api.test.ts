// The partner API over HTTP against the local runtime (center 330100): registry, signed requests with
// every refusal of the signature scheme (401 SIGNATURE_INVALID, nothing recorded), idempotency on the
// partner's requestId, processing through the queue, the signed callback, and who may read what.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { baseUrl, call, adminToken, staffToken, memberToken } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { signature, signatureMatches } from '../../shared/signature.ts';
import { getRequestIdClaim, nonceSeen } from '../../functions/interprovincial/store.ts';
import { listEntries, mustGetAccount } from '../../shared/ledger/ledger.ts';

const REQUESTS = '/v1/interprovincial/requests';
const center = `E2E${randomBytes(4).toString('hex')}`;
const other = `E2F${randomBytes(4).toString('hex')}`;
const secret = `secret-${randomUUID()}`;
const otherSecret = `secret-${randomUUID()}`;

interface Signing {
  center?: string;
  secret?: string;
  timestamp?: number;
  nonce?: string;
  /** Path the signature covers (default: the path sent to). */
  signedPath?: string;
  /** Body the signature covers (default: the body sent). */
  signedBody?: string;
  unsigned?: boolean;
  /** Bytes to send instead of the JSON of `body` (and their content type). */
  rawBody?: string;
  contentType?: string;
}

async function signed(method: 'GET' | 'POST', path: string, body?: unknown, s: Signing = {}) {
  const raw = s.rawBody ?? (body === undefined ? '' : JSON.stringify(body));
  const timestamp = String(s.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = s.nonce ?? randomBytes(12).toString('hex');
  const headers: Record<string, string> = { 'content-type': s.contentType ?? 'application/json' };
  if (!s.unsigned) {
    headers['x-hpf-center'] = s.center ?? center;
    headers['x-hpf-timestamp'] = timestamp;
    headers['x-hpf-nonce'] = nonce;
    headers['x-hpf-signature'] = signature(s.secret ?? secret, { method, path: s.signedPath ?? path, timestamp, nonce, rawBody: s.signedBody ?? raw });
  }
  const res = await fetch(`${baseUrl()}${path}`, { method, headers, body: raw || undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, nonce };
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

// the partner's callback endpoint
const callbacks: { headers: Record<string, string>; body: string; path: string }[] = [];
let server: Server;

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
  const port = (server.address() as { port: number }).port;
  for (const [code, s] of [[center, secret], [other, otherSecret]]) {
    const res = await call('PUT', `/v1/interprovincial/partners/${code}`, { token: await adminToken(), body: { name: `Partner ${code}`, callbackUrl: `http://127.0.0.1:${port}/hpf/callbacks`, settlementAccount: '6222020300009876543', sharedSecret: s } });
    expect(res.status).toBe(201);
  }
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const member = async (opts: Parameters<typeof openFundedAccount>[0] = {}) => {
  const a = await openFundedAccount({ balanceFen: 1_234_56, status: 'SEALED', name: '王五', ...opts });
  return a;
};

describe('partner registry', () => {
  it('admin registers (201) and updates (200) a partner; the secret is never returned; others are refused', async () => {
    const code = `REG${randomBytes(3).toString('hex')}`;
    const body = { name: '北京住房公积金管理中心', callbackUrl: 'https://partner.example/cb', apiBaseUrl: 'https://partner.example', sharedSecret: 'a-very-long-shared-secret' };
    const created = await call('PUT', `/v1/interprovincial/partners/${code}`, { token: await adminToken(), body });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ centerCode: code, name: body.name, callbackUrl: body.callbackUrl, apiBaseUrl: body.apiBaseUrl });
    expect(JSON.stringify(created.body)).not.toContain(body.sharedSecret);
    const updated = await call('PUT', `/v1/interprovincial/partners/${code}`, { token: await adminToken(), body: { ...body, name: 'renamed' } });
    expect(updated.status).toBe(200);
    expect(updated.body.name).toBe('renamed');
    expect(JSON.stringify(updated.body)).not.toContain(body.sharedSecret);
    expect((await call('PUT', `/v1/interprovincial/partners/${code}`, { token: await staffToken(), body })).status).toBe(403);
    const extra = await call('PUT', `/v1/interprovincial/partners/${code}`, { token: await adminToken(), body: { ...body, extra: 1 } });
    expect(extra.status).toBe(400);
    expect((await call('PUT', `/v1/interprovincial/partners/${code}`, { token: await adminToken(), body: { ...body, sharedSecret: 'short' } })).status).toBe(400);
  });
});

describe('signed requests', () => {
  it('accepts a signed request (202), answers a resend with the same trackingId, completes it and calls back signed', async () => {
    const a = await member();
    const body = { requestId: `R-${randomUUID()}`, type: 'BALANCE_INQUIRY', payload: { idNumber: a.idNumber, name: a.name } };
    const first = await signed('POST', REQUESTS, body);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ trackingId: expect.any(String), status: 'RECEIVED' });
    const again = await signed('POST', REQUESTS, body);
    expect(again.status).toBe(202);
    expect(again.body.trackingId).toBe(first.body.trackingId);
    const reused = await signed('POST', REQUESTS, { ...body, type: 'DEPOSIT_CERTIFICATE' });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const done = await until(async () => {
      const r = await signed('GET', `${REQUESTS}/${first.body.trackingId}`);
      return r.body?.status === 'COMPLETED' ? r : undefined;
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ trackingId: first.body.trackingId, requestId: body.requestId, type: 'BALANCE_INQUIRY', status: 'COMPLETED', result: { balance: '1234.56', status: 'SEALED', monthlyBase: '8000.00', monthlyAmount: '1920.00', lastPaidPeriod: null, loans: [] } });

    const cb = await until(async () => callbacks.find((c) => c.body.includes(first.body.trackingId)));
    expect(JSON.parse(cb.body)).toEqual({ trackingId: first.body.trackingId, requestId: body.requestId, type: 'BALANCE_INQUIRY', status: 'COMPLETED', result: done.body.result });
    expect(cb.path).toBe('/hpf/callbacks');
    expect(cb.headers['x-hpf-center']).toBe('330100');
    expect(signatureMatches(secret, { method: 'POST', path: '/hpf/callbacks', timestamp: cb.headers['x-hpf-timestamp'], nonce: cb.headers['x-hpf-nonce'], rawBody: cb.body }, cb.headers['x-hpf-signature'])).toBe(true);
    expect(callbacks.filter((c) => c.body.includes(first.body.trackingId))).toHaveLength(1);
  });

  it('a resent TRANSFER_REQUEST has one effect: one TRANSFER_OUT, the account closed with 04 and balance 0', async () => {
    const a = await member({ balanceFen: 500_000 });
    const body = { requestId: `R-${randomUUID()}`, type: 'TRANSFER_REQUEST', payload: { idNumber: a.idNumber, name: a.name } };
    const sent = await Promise.all([signed('POST', REQUESTS, body), signed('POST', REQUESTS, body), signed('POST', REQUESTS, body)]);
    expect(sent.map((s) => s.status)).toEqual([202, 202, 202]);
    expect(new Set(sent.map((s) => s.body.trackingId)).size).toBe(1);
    const done = await until(async () => {
      const r = await signed('GET', `${REQUESTS}/${sent[0].body.trackingId}`);
      return r.body?.status === 'COMPLETED' ? r.body : undefined;
    });
    await signed('POST', REQUESTS, body);
    const entries = (await listEntries(a.accountNo, 50)).items;
    const out = entries.filter((e) => e.type === 'TRANSFER_OUT');
    expect(out).toHaveLength(1);
    const interestFen = entries.filter((e) => e.type === 'INTEREST').reduce((s, e) => s + e.amountFen, 0);
    expect(-out[0].amountFen).toBe(500_000 + interestFen);
    expect(done.result.amount).toBe((-out[0].amountFen / 100).toFixed(2));
    expect(await mustGetAccount(a.accountNo)).toMatchObject({ status: 'CLOSED', statusCode: '04', balanceFen: 0, closedOn: done.result.closedOn });
  });

  it('a balance inquiry names the identity refusal (api.md v1.1): NOT_FOUND for an unknown ID number, NAME_MISMATCH for another name', async () => {
    const a = await member();
    const wrong = await signed('POST', REQUESTS, { requestId: `R-${randomUUID()}`, type: 'BALANCE_INQUIRY', payload: { idNumber: a.idNumber, name: '赵六' } });
    const unknown = await signed('POST', REQUESTS, { requestId: `R-${randomUUID()}`, type: 'DEPOSIT_CERTIFICATE', payload: { idNumber: randomResidentId(), name: a.name } });
    const final = (id: string) =>
      until(async () => {
        const r = await signed('GET', `${REQUESTS}/${id}`);
        return r.body?.status === 'REJECTED' ? r.body : undefined;
      });
    const [w, u] = await Promise.all([final(wrong.body.trackingId), final(unknown.body.trackingId)]);
    expect(w.rejection.code).toBe('NAME_MISMATCH');
    expect(u.rejection.code).toBe('NOT_FOUND');
  });

  it('rejects a member whose name does not match with the same answer as an unknown member', async () => {
    const a = await member();
    const wrong = await signed('POST', REQUESTS, { requestId: `R-${randomUUID()}`, type: 'TRANSFER_REQUEST', payload: { idNumber: a.idNumber, name: '赵六' } });
    const unknown = await signed('POST', REQUESTS, { requestId: `R-${randomUUID()}`, type: 'TRANSFER_REQUEST', payload: { idNumber: randomResidentId(), name: a.name } });
    const final = (id: string) =>
      until(async () => {
        const r = await signed('GET', `${REQUESTS}/${id}`);
        return r.body?.status === 'REJECTED' ? r.body : undefined;
      });
    const [w, u] = await Promise.all([final(wrong.body.trackingId), final(unknown.body.trackingId)]);
    expect(w.rejection).toEqual(u.rejection);
    expect(w.rejection.code).toBe('MEMBER_NOT_MATCHED');
  });

  it('validates the body after the signature: unknown fields and bad payloads are 400', async () => {
    const a = await member();
    const extra = await signed('POST', REQUESTS, { requestId: `R-${randomUUID()}`, type: 'BALANCE_INQUIRY', payload: { idNumber: a.idNumber, name: a.name }, extra: true });
    expect(extra.status).toBe(400);
    const badType = await signed('POST', REQUESTS, { requestId: `R-${randomUUID()}`, type: 'NOPE', payload: { idNumber: a.idNumber, name: a.name } });
    expect(badType.status).toBe(400);
    const badId = await signed('POST', REQUESTS, { requestId: `R-${randomUUID()}`, type: 'BALANCE_INQUIRY', payload: { idNumber: '510104199001010079', name: a.name } });
    expect(badId.status).toBe(400);
  });

  it('checks the signature before it reads the body: a badly signed call is 401 whatever its body holds; a well signed bad body is 400', async () => {
    const junk: { rawBody: string; contentType?: string }[] = [
      { rawBody: 'not json at all' },
      { rawBody: '{"requestId":' },
      { rawBody: '{"a":1,"a":2}' },
      { rawBody: '{"requestId":"x"}', contentType: 'text/plain' },
      { rawBody: '{"requestId":"x"}', contentType: 'application/json; charset=gbk' },
      { rawBody: '{"name":"\u202e"}' },
    ];
    for (const j of junk) {
      for (const bad of [{ unsigned: true }, { secret: 'not-the-shared-secret' }, { timestamp: Math.floor(Date.now() / 1000) - 301 }]) {
        const res = await signed('POST', REQUESTS, undefined, { ...j, ...bad });
        expect(res.status, `${j.rawBody} ${JSON.stringify(bad)}`).toBe(401);
        expect(res.body.code).toBe('SIGNATURE_INVALID');
      }
      const res = await signed('POST', REQUESTS, undefined, j);
      expect(res.status, j.rawBody).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    }
  });

  describe('every refusal of the signature scheme is 401 SIGNATURE_INVALID and records nothing', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const cases: [string, (body: unknown) => Promise<{ status: number; body: any; nonce: string }>, string?][] = [
      ['unsigned', (b) => signed('POST', REQUESTS, b, { unsigned: true })],
      ['wrong secret', (b) => signed('POST', REQUESTS, b, { secret: 'not-the-shared-secret' })],
      ['stale timestamp (301 s old)', (b) => signed('POST', REQUESTS, b, { timestamp: now() - 301 })],
      ['future timestamp (301 s ahead)', (b) => signed('POST', REQUESTS, b, { timestamp: now() + 301 })],
      ['unknown center', (b) => signed('POST', REQUESTS, b, { center: 'NO-SUCH-CENTER' }), 'NO-SUCH-CENTER'],
      ['body changed after signing', (b) => signed('POST', REQUESTS, b, { signedBody: JSON.stringify({ ...(b as object), requestId: 'other' }) })],
      ['path changed after signing', (b) => signed('POST', REQUESTS, b, { signedPath: '/v1/interprovincial/callbacks' })],
      ['another partner signing as this one', (b) => signed('POST', REQUESTS, b, { secret: otherSecret })],
      ['a nonce shorter than 16 characters', (b) => signed('POST', REQUESTS, b, { nonce: 'short-nonce' })],
    ];
    for (const [name, send, sentAs] of cases) {
      it(name, async () => {
        const a = await member();
        const body = { requestId: `R-${randomUUID()}`, type: 'BALANCE_INQUIRY', payload: { idNumber: a.idNumber, name: a.name } };
        const res = await send(body);
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ status: 401, code: 'SIGNATURE_INVALID' });
        expect(await getRequestIdClaim(sentAs ?? center, body.requestId)).toBeUndefined();
        expect(await nonceSeen(sentAs ?? center, res.nonce, now())).toBe(false);
      });
    }

    it('reused nonce', async () => {
      const a = await member();
      const nonce = randomBytes(16).toString('hex');
      const first = { requestId: `R-${randomUUID()}`, type: 'BALANCE_INQUIRY', payload: { idNumber: a.idNumber, name: a.name } };
      expect((await signed('POST', REQUESTS, first, { nonce })).status).toBe(202);
      const replay = await signed('POST', REQUESTS, first, { nonce });
      expect(replay.status).toBe(401);
      expect(replay.body.code).toBe('SIGNATURE_INVALID');
      const second = { ...first, requestId: `R-${randomUUID()}` };
      const res = await signed('POST', REQUESTS, second, { nonce });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('SIGNATURE_INVALID');
      expect(await getRequestIdClaim(center, second.requestId)).toBeUndefined();
    });

    it('a signed read with a reused nonce, or another partner reading, is refused', async () => {
      const a = await member();
      const accepted = await signed('POST', REQUESTS, { requestId: `R-${randomUUID()}`, type: 'BALANCE_INQUIRY', payload: { idNumber: a.idNumber, name: a.name } });
      const path = `${REQUESTS}/${accepted.body.trackingId}`;
      const nonce = randomBytes(16).toString('hex');
      expect((await signed('GET', path, undefined, { nonce })).status).toBe(200);
      expect((await signed('GET', path, undefined, { nonce })).status).toBe(401);
      expect((await signed('GET', path, undefined, { center: other, secret: otherSecret })).status).toBe(404);
      // api.md: "partner (own), staff" — city-level staff read any request with their token
      const staffRead = await call('GET', path, { token: await staffToken() });
      expect(staffRead.status).toBe(200);
      expect(staffRead.body).toMatchObject({ trackingId: accepted.body.trackingId, type: 'BALANCE_INQUIRY' });
      expect((await call('GET', path, { token: await staffToken('SC') })).status).toBe(403);
      expect((await call('GET', path, { headers: { authorization: 'Bearer forged.token.here' } })).status).toBe(401);
    });
  });
});

describe('staff view', () => {
  it('city-level staff list requests by status; branch staff and members are refused', async () => {
    const a = await member();
    const accepted = await signed('POST', REQUESTS, { requestId: `R-${randomUUID()}`, type: 'DEPOSIT_CERTIFICATE', payload: { idNumber: a.idNumber, name: a.name } });
    const found = await until(async () => {
      let cursor: string | null = null;
      do {
        const page: { status: number; body: { items: { trackingId: string }[]; nextCursor: string | null } } = await call('GET', `${REQUESTS}?status=COMPLETED&limit=200${cursor ? `&cursor=${cursor}` : ''}`, { token: await staffToken() });
        expect(page.status).toBe(200);
        const hit = page.body.items.find((r) => r.trackingId === accepted.body.trackingId);
        if (hit) return hit;
        cursor = page.body.nextCursor;
      } while (cursor);
      return undefined;
    });
    expect(found).toMatchObject({ status: 'COMPLETED', type: 'DEPOSIT_CERTIFICATE', partner: center });
    const all = await call('GET', `${REQUESTS}?limit=2`, { token: await staffToken() });
    expect(all.status).toBe(200);
    expect(all.body.items.length).toBeLessThanOrEqual(2);
    expect((await call('GET', `${REQUESTS}?status=DONE`, { token: await staffToken() })).status).toBe(400);
    expect((await call('GET', `${REQUESTS}?cursor=garbage`, { token: await staffToken() })).status).toBe(400);
    expect((await call('GET', REQUESTS, { token: await staffToken('SC') })).status).toBe(403);
    expect((await call('GET', REQUESTS, { token: await memberToken(a.accountNo) })).status).toBe(403);
  });
});
