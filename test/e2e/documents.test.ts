// Documents (api.md "Documents and certificates") end to end against the local runtime's object
// store: declare → pre-signed PUT with the returned headers → the first read checks the object and
// answers STORED with a download link that serves the same bytes; a tampered upload never becomes
// STORED (the emulator does not enforce the signed checksum: the domain's own check does); strict
// validation; idempotent replays; who may see a document; the document in a withdrawal's archive.
import { describe, it, expect } from 'vitest';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { call, auditorToken, memberToken, staffToken, unitToken, adminToken } from '../support/http.ts';
import { openFundedAccount, randomResidentId } from '../support/fixtures.ts';
import { canonicalJson } from '../../shared/canonical.ts';
import { headObject } from '../../shared/s3.ts';
import { commit } from '../../shared/tx.ts';
import { ledgerWrite, mustGetAccount } from '../../shared/ledger/ledger.ts';
import { addMonths, businessDate, periodOf } from '../../shared/clock.ts';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** A small PNG-signed file with random content. */
const png = (size = 2048) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(size - 8)]);
const pdf = (size = 4096) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);

async function declare(token: string, bytes: Buffer, contentType = 'image/png', fileName = '租房合同 第1页.png', idem?: string) {
  const res = await call('POST', '/v1/documents', { token, body: { fileName, contentType, sizeBytes: bytes.length, sha256: sha256(bytes) }, idem });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res;
}

async function upload(answer: { uploadUrl: string; uploadHeaders: Record<string, string> }, bytes: Buffer) {
  const res = await fetch(answer.uploadUrl, { method: 'PUT', headers: answer.uploadHeaders, body: bytes });
  expect(res.status).toBe(200);
}

async function uploaded(token: string, bytes: Buffer, contentType = 'image/png', fileName = '租房合同 第1页.png') {
  const d = await declare(token, bytes, contentType, fileName);
  await upload(d.body, bytes);
  const got = await call('GET', `/v1/documents/${d.body.documentId}`, { token });
  expect(got.status, JSON.stringify(got.body)).toBe(200);
  expect(got.body.status).toBe('STORED');
  return d.body.documentId as string;
}

describe('uploads', () => {
  it('declare, upload with the pre-signed URL, read back STORED with a download link serving the same bytes', async () => {
    const acc = await openFundedAccount({});
    const member = await memberToken(acc.accountNo);
    const bytes = png(50_000);
    const d = await declare(member, bytes);
    expect(Object.keys(d.body)).toEqual(expect.arrayContaining(['documentId', 'uploadUrl', 'expiresAt', 'uploadHeaders']));
    expect(d.body.documentId).toMatch(/^D[0-9A-Z]{26}$/);
    expect(Date.parse(d.body.expiresAt)).toBeGreaterThan(Date.now());
    expect(d.body.uploadHeaders).toMatchObject({ 'content-type': 'image/png', 'content-length': String(bytes.length), 'x-amz-checksum-sha256': Buffer.from(sha256(bytes), 'hex').toString('base64') });
    // the signature covers the type, the size and the checksum
    expect(new URL(d.body.uploadUrl).searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host;x-amz-checksum-sha256');

    const before = await call('GET', `/v1/documents/${d.body.documentId}`, { token: member });
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ documentId: d.body.documentId, fileName: '租房合同 第1页.png', contentType: 'image/png', sizeBytes: bytes.length, sha256: sha256(bytes), status: 'PENDING' });
    expect(before.body).not.toHaveProperty('downloadUrl');

    await upload(d.body, bytes);
    const after = await call('GET', `/v1/documents/${d.body.documentId}`, { token: member });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ status: 'STORED', sha256: sha256(bytes), sizeBytes: bytes.length });
    expect(typeof after.body.downloadUrl).toBe('string');
    expect(Date.parse(after.body.downloadExpiresAt) - Date.now()).toBeLessThanOrEqual(300_000);
    const download = await fetch(after.body.downloadUrl);
    expect(download.status).toBe(200);
    const got = Buffer.from(await download.arrayBuffer());
    expect(sha256(got)).toBe(sha256(bytes));
    // the checked copy is what is kept; the upload itself is gone
    expect(await headObject('documents', `stored/${d.body.documentId}`)).toMatchObject({ sizeBytes: bytes.length });
    expect(await headObject('documents', `uploads/${d.body.documentId}`)).toBeUndefined();

    // a later PUT to the (still valid) upload URL changes nothing that is stored
    await upload(d.body, png(bytes.length));
    const again = await call('GET', `/v1/documents/${d.body.documentId}`, { token: member });
    expect(again.body.status).toBe('STORED');
    expect(sha256(Buffer.from(await (await fetch(again.body.downloadUrl)).arrayBuffer()))).toBe(sha256(bytes));
  });

  it('a tampered upload is never STORED: deleted, noted, and the right bytes can follow', async () => {
    const acc = await openFundedAccount({});
    const member = await memberToken(acc.accountNo);
    const bytes = pdf(8192);
    const d = await declare(member, bytes, 'application/pdf', '收入证明.pdf');
    const path = `/v1/documents/${d.body.documentId}`;

    // other bytes of the same size (the emulator accepts them despite the signed checksum)
    await upload(d.body, pdf(8192));
    const tampered = await call('GET', path, { token: member });
    expect(tampered.status).toBe(200);
    expect(tampered.body.status).toBe('PENDING');
    expect(tampered.body).not.toHaveProperty('downloadUrl');
    expect(tampered.body.lastRejection).toMatchObject({ reason: 'SHA256_MISMATCH' });
    expect(await headObject('documents', `uploads/${d.body.documentId}`)).toBeUndefined();
    expect(await headObject('documents', `stored/${d.body.documentId}`)).toBeUndefined();
    // reading again does not make it so
    expect((await call('GET', path, { token: member })).body.status).toBe('PENDING');

    // the declared hash of bytes that are not of the declared type: refused too
    const fake = Buffer.from('<html><script>alert(1)</script></html>'.padEnd(1000, ' '));
    const f = await declare(member, fake, 'application/pdf', 'not-a.pdf');
    await upload(f.body, fake);
    const notPdf = await call('GET', `/v1/documents/${f.body.documentId}`, { token: member });
    expect(notPdf.body).toMatchObject({ status: 'PENDING', lastRejection: { reason: 'TYPE_MISMATCH' } });

    // a larger object than declared (without the signed size header): refused as well
    const { 'content-length': _n, ...headers } = d.body.uploadHeaders;
    expect((await fetch(d.body.uploadUrl, { method: 'PUT', headers, body: Buffer.concat([bytes, Buffer.from('tail')]) })).status).toBe(200);
    const larger = await call('GET', path, { token: member });
    expect(larger.body).toMatchObject({ status: 'PENDING', lastRejection: { reason: 'SIZE_MISMATCH' } });
    expect(await headObject('documents', `uploads/${d.body.documentId}`)).toBeUndefined();

    // the right bytes now: STORED
    await upload(d.body, bytes);
    const fixed = await call('GET', path, { token: member });
    expect(fixed.body.status).toBe('STORED');
    expect(fixed.body).not.toHaveProperty('lastRejection');
    expect(sha256(Buffer.from(await (await fetch(fixed.body.downloadUrl)).arrayBuffer()))).toBe(sha256(bytes));
  });

  it('a unit and a clerk may upload too; only the uploader reads an unattached document, everyone else 404', async () => {
    const acc = await openFundedAccount({});
    const other = await openFundedAccount({});
    const member = await memberToken(acc.accountNo);
    const unit = await unitToken(`U${randomUUID().slice(0, 8)}`);
    const clerk = await staffToken('SC');
    for (const t of [unit, clerk]) await uploaded(t, png(1024));
    const id = await uploaded(member, png(1024));
    const path = `/v1/documents/${id}`;
    for (const t of [await memberToken(other.accountNo), unit, clerk, await staffToken('*'), await auditorToken()]) {
      const res = await call('GET', path, { token: t });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('NOT_FOUND');
      expect(JSON.stringify(res.body)).not.toContain('downloadUrl');
    }
    // an unknown id and a malformed one answer the same
    for (const p of ['/v1/documents/D00000000000000000000000000', '/v1/documents/nonsense']) expect((await call('GET', p, { token: member })).status).toBe(404);
    expect((await call('GET', path, { token: await adminToken() })).status).toBe(403);
    expect((await call('GET', path)).status).toBe(401);
    // auditors and admins do not upload
    for (const t of [await auditorToken(), await adminToken()]) {
      const res = await call('POST', '/v1/documents', { token: t, body: { fileName: 'a.png', contentType: 'image/png', sizeBytes: 10, sha256: 'a'.repeat(64) } });
      expect(res.status).toBe(403);
    }
  });

  it('strict validation: 400 naming the field, and nothing is recorded', async () => {
    const acc = await openFundedAccount({});
    const member = await memberToken(acc.accountNo);
    const ok = { fileName: 'scan.jpg', contentType: 'image/jpeg', sizeBytes: 1000, sha256: 'ab'.repeat(32) };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...ok, sizeBytes: 10_485_761 }, 'body.sizeBytes'],
      [{ ...ok, sizeBytes: 0 }, 'body.sizeBytes'],
      [{ ...ok, sizeBytes: 1.5 }, 'body.sizeBytes'],
      [{ ...ok, sizeBytes: '1000' }, 'body.sizeBytes'],
      [{ ...ok, contentType: 'text/html' }, 'body.contentType'],
      [{ ...ok, contentType: 'image/svg+xml' }, 'body.contentType'],
      [{ ...ok, sha256: 'AB'.repeat(32) }, 'body.sha256'],
      [{ ...ok, sha256: 'ab'.repeat(31) }, 'body.sha256'],
      [{ ...ok, sha256: 'zz'.repeat(32) }, 'body.sha256'],
      [{ ...ok, fileName: '../../etc/passwd' }, 'body.fileName'],
      [{ ...ok, fileName: 'a\\b.jpg' }, 'body.fileName'],
      [{ ...ok, fileName: '.htaccess' }, 'body.fileName'],
      [{ ...ok, fileName: '   ' }, 'body.fileName'],
      [{ ...ok, fileName: 'x'.repeat(201) }, 'body.fileName'],
      [{ ...ok, extra: 1 }, 'body'],
      [{ fileName: 'scan.jpg', contentType: 'image/jpeg', sizeBytes: 1000 }, 'body.sha256'],
    ];
    for (const [body, field] of cases) {
      const idem = randomUUID();
      const res = await call('POST', '/v1/documents', { token: member, body, idem });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors.map((e: { path: string }) => e.path).join(' '), JSON.stringify(body)).toContain(field);
      // nothing was kept under that key: a valid request with it is a first one
      const next = await call('POST', '/v1/documents', { token: member, body: ok, idem });
      expect(next.status).toBe(201);
      expect(next.headers.get('idempotency-replayed')).toBeNull();
    }
    expect((await call('POST', '/v1/documents', { token: member, body: ok, idem: false })).body.code).toBe('IDEMPOTENCY_KEY_MISSING');
  });

  it('idempotent: the same key and body answer the same document; another body with that key 422', async () => {
    const acc = await openFundedAccount({});
    const member = await memberToken(acc.accountNo);
    const bytes = png(3000);
    const idem = randomUUID();
    const first = await declare(member, bytes, 'image/png', 'a.png', idem);
    const replay = await declare(member, bytes, 'image/png', 'a.png', idem);
    expect(replay.headers.get('idempotency-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    const reused = await call('POST', '/v1/documents', { token: member, idem, body: { fileName: 'b.png', contentType: 'image/png', sizeBytes: bytes.length, sha256: sha256(bytes) } });
    expect([reused.status, reused.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
    // another caller with the same key is another request
    const otherAcc = await openFundedAccount({});
    const theirs = await declare(await memberToken(otherAcc.accountNo), bytes, 'image/png', 'a.png', idem);
    expect(theirs.body.documentId).not.toBe(first.body.documentId);
  });
});

describe('documents with a withdrawal', () => {
  it('go into the withdrawal’s archive and become readable by the staff of its branch and auditors; others 404', async () => {
    const branch = `DC${randomUUID().slice(0, 6)}`;
    const acc = await openFundedAccount({ branch, balanceFen: 500_000 });
    const member = await memberToken(acc.accountNo);
    const lease = png(4000);
    const receipt = pdf(6000);
    const leaseId = await uploaded(member, lease);
    const r = await declare(member, receipt, 'application/pdf', '房租收据.pdf');
    await upload(r.body, receipt);
    const receiptId = r.body.documentId as string;

    const body = { accountNo: acc.accountNo, reason: 'RENT', amount: '100.00', payeeBankAccount: '6222020000000001', evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: `WF-${randomUUID().slice(0, 6)}`, documentIds: [leaseId, receiptId] } };
    // uploaded but not read back yet: not STORED, the application is refused and nothing is attached
    const early = await call('POST', '/v1/withdrawals', { token: member, body });
    expect([early.status, early.body.code], JSON.stringify(early.body)).toEqual([409, 'INVALID_STATE']);
    expect(early.body.errors[0].path).toBe('body.evidence.documentIds.1');
    expect((await call('GET', `/v1/documents/${leaseId}`, { token: await auditorToken() })).status).toBe(404);
    expect((await call('GET', `/v1/documents/${receiptId}`, { token: member })).body.status).toBe('STORED');
    const w = await call('POST', '/v1/withdrawals', { token: member, body });
    expect(w.status, JSON.stringify(w.body)).toBe(201);

    const archive = await call('GET', `/v1/archive/WITHDRAWAL/${w.body.withdrawalId}`, { token: await auditorToken() });
    expect(archive.status).toBe(200);
    const submit = archive.body.records.find((x: { action: string }) => x.action === 'SUBMIT');
    expect(submit.submitted.documents).toEqual([
      { documentId: leaseId, fileName: '租房合同 第1页.png', contentType: 'image/png', sizeBytes: lease.length, sha256: sha256(lease) },
      { documentId: receiptId, fileName: '房租收据.pdf', contentType: 'application/pdf', sizeBytes: receipt.length, sha256: sha256(receipt) },
    ]);

    for (const t of [member, await staffToken(branch), await staffToken('*'), await auditorToken()]) {
      const res = await call('GET', `/v1/documents/${receiptId}`, { token: t });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ status: 'STORED', attachedTo: { kind: 'WITHDRAWAL', id: w.body.withdrawalId } });
      expect(sha256(Buffer.from(await (await fetch(res.body.downloadUrl)).arrayBuffer()))).toBe(sha256(receipt));
    }
    const other = await openFundedAccount({ branch });
    for (const t of [await staffToken(`${branch}X`), await memberToken(other.accountNo), await unitToken('U-ANY')]) {
      expect((await call('GET', `/v1/documents/${leaseId}`, { token: t })).status).toBe(404);
    }

    // a document goes with one record only
    const again = await call('POST', '/v1/withdrawals', { token: member, body: { ...body, evidence: { ...body.evidence, noHouseCertificateNo: `WF-${randomUUID().slice(0, 6)}`, documentIds: [leaseId] } } });
    expect([again.status, again.body.code]).toEqual([409, 'INVALID_STATE']);
  });

  it('refuses another member’s document (404, like an unknown one), one not uploaded yet (409), and malformed ids (400); nothing is written', async () => {
    const branch = `DR${randomUUID().slice(0, 6)}`;
    const acc = await openFundedAccount({ branch, balanceFen: 500_000 });
    const someone = await openFundedAccount({ branch });
    const member = await memberToken(acc.accountNo);
    const theirs = await uploaded(await memberToken(someone.accountNo), png(1000));
    const empty = (await declare(member, png(1000))).body.documentId as string;
    const apply = (documentIds: unknown) =>
      call('POST', '/v1/withdrawals', { token: member, body: { accountNo: acc.accountNo, reason: 'RENT', amount: '100.00', payeeBankAccount: '6222020000000001', evidence: { housingKind: 'COMMERCIAL', noHouseCertificateNo: `WF-${randomUUID().slice(0, 6)}`, documentIds } } });
    const unknown = await apply(['D00000000000000000000000000']);
    expect([unknown.status, unknown.body.code]).toEqual([404, 'NOT_FOUND']);
    const foreign = await apply([theirs]);
    expect([foreign.status, foreign.body.code]).toEqual([404, 'NOT_FOUND']);
    expect(foreign.body.errors[0].path).toBe('body.evidence.documentIds.0');
    const pending = await apply([empty]);
    expect([pending.status, pending.body.code]).toEqual([409, 'INVALID_STATE']);
    for (const bad of [[], ['x'], [theirs, theirs], Array.from({ length: 11 }, () => theirs), 'D1']) {
      const res = await apply(bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.errors.map((e: { path: string }) => e.path).join(' ')).toContain('body.evidence.documentIds');
    }
    const list = await call('GET', `/v1/accounts/${acc.accountNo}/withdrawals`, { token: member });
    expect(list.body.items).toEqual([]);
    // still the other member's alone
    expect((await call('GET', `/v1/documents/${theirs}`, { token: await staffToken(branch) })).status).toBe(404);
  });
});

/** An account with six consecutive monthly remittances up to last month (eligible for a loan). */
async function depositor(branch: string) {
  const acc = await openFundedAccount({ branch, idNumber: randomResidentId('1995-03-15', 'M') });
  const current = periodOf(businessDate());
  await commit({
    plan: async () => {
      const account = await mustGetAccount(acc.accountNo);
      const postings = Array.from({ length: 6 }, (_, i) => ({ amountFen: 300_000, type: 'REMITTANCE' as const, period: addMonths(current, i - 6), ref: 'fixture-remittance', valueDate: businessDate() }));
      return { items: ledgerWrite([{ account, postings }]).items, body: null };
    },
  });
  return acc;
}

describe('documents with a loan application', () => {
  it('are attached to the application, archived with it, and readable by the staff of its branch', async () => {
    const branch = `DL${randomUUID().slice(0, 6)}`;
    const acc = await depositor(branch);
    const member = await memberToken(acc.accountNo);
    const contract = pdf(5000);
    const contractId = await uploaded(member, contract, 'application/pdf', '购房合同.pdf');
    const body = { accountNo: acc.accountNo, housePrice: '2000000', firstHome: true, termMonths: 360, monthlyIncome: '20000', borrowerCategory: 'TALENT', location: 'DISTRICT', repaymentMethod: 'EQUAL_INSTALLMENT', amount: '300000', documentIds: [contractId] };
    const bad = await call('POST', '/v1/loans', { token: member, body: { ...body, documentIds: ['not-an-id'] } });
    expect([bad.status, bad.body.errors?.[0]?.path]).toEqual([400, 'body.documentIds.0']);
    const applied = await call('POST', '/v1/loans', { token: member, body });
    expect(applied.status, JSON.stringify(applied.body)).toBe(201);
    const loanId = applied.body.loanId as string;

    const archive = await call('GET', `/v1/archive/LOAN/${loanId}`, { token: await staffToken(branch) });
    expect(archive.status).toBe(200);
    const record = archive.body.records.find((x: { action: string }) => x.action === 'APPLIED');
    expect(record.submitted.documents).toEqual([{ documentId: contractId, fileName: '购房合同.pdf', contentType: 'application/pdf', sizeBytes: contract.length, sha256: sha256(contract) }]);
    expect(record.submittedSha256).toBe(createHash('sha256').update(canonicalJson(record.submitted)).digest('hex'));

    const seen = await call('GET', `/v1/documents/${contractId}`, { token: await staffToken(branch) });
    expect(seen.status).toBe(200);
    expect(seen.body.attachedTo).toEqual({ kind: 'LOAN', id: loanId });
    expect((await call('GET', `/v1/documents/${contractId}`, { token: await staffToken(`${branch}X`) })).status).toBe(404);
  });
});
