// The documents domain's pure rules: who reads a document, whether an upload is what was declared,
// whether a document may go with a record; and the edge schema of a declaration.
import { describe, expect, it } from 'vitest';
import { attachDecision, hasSignatureOf, mayRead, uploadProblem, type Document } from '../../functions/documents/domain/document.ts';
import { createDocumentBody, documentIdList } from '../../functions/documents/schemas.ts';
import type { Caller } from '../../shared/auth.ts';

const doc = (over: Partial<Document> = {}): Document => ({
  documentId: 'D0000000000AAAAAAAAAAAAAAAA',
  fileName: 'a.pdf',
  contentType: 'application/pdf',
  sizeBytes: 10,
  sha256: 'a'.repeat(64),
  status: 'STORED',
  uploader: { sub: 'member-1', role: 'member', accountNo: '100000000001' },
  createdAt: '2026-12-01T00:00:00.000Z',
  uploadExpiresAt: '2026-12-01T00:15:00.000Z',
  uploadKey: 'uploads/D0000000000AAAAAAAAAAAAAAAA',
  ...over,
});
const attached = { kind: 'WITHDRAWAL' as const, id: 'W1', branch: 'SC', accountNo: '100000000001', attachedAt: '2026-12-01T01:00:00.000Z' };
const who = (c: Partial<Caller> & Pick<Caller, 'role'>): Caller => ({ sub: `${c.role}-x`, ...c });

describe('mayRead', () => {
  it('the uploader (same sub and role) only, while unattached', () => {
    const d = doc();
    expect(mayRead(who({ role: 'member', sub: 'member-1' }), d)).toBe(true);
    expect(mayRead(who({ role: 'staff', sub: 'member-1', branch: '*' }), d)).toBe(false); // another role with the same sub
    for (const c of [who({ role: 'member', accountNo: '100000000001' }), who({ role: 'staff', branch: '*' }), who({ role: 'staff', branch: 'SC' }), who({ role: 'auditor' }), who({ role: 'admin' }), who({ role: 'unit', unitId: 'U1' })]) expect(mayRead(c, d)).toBe(false);
  });

  it('once attached: also the staff covering the record’s branch and auditors, nobody else', () => {
    const d = doc({ attachedTo: attached });
    expect(mayRead(who({ role: 'staff', branch: 'SC' }), d)).toBe(true);
    expect(mayRead(who({ role: 'staff', branch: '*' }), d)).toBe(true);
    expect(mayRead(who({ role: 'auditor' }), d)).toBe(true);
    expect(mayRead(who({ role: 'staff', branch: 'SD' }), d)).toBe(false);
    expect(mayRead(who({ role: 'admin' }), d)).toBe(false);
    expect(mayRead(who({ role: 'unit', unitId: 'U1' }), d)).toBe(false);
    expect(mayRead(who({ role: 'member', accountNo: '100000000002' }), d)).toBe(false);
  });
});

describe('uploadProblem', () => {
  const pdf = Uint8Array.from(Buffer.from('%PDF-1.7\n'));
  it('size, then hash, then the type’s signature bytes', () => {
    const d = doc();
    expect(uploadProblem(d, { sizeBytes: 10, sha256: 'a'.repeat(64), head: pdf })).toBeUndefined();
    expect(uploadProblem(d, { sizeBytes: 11, sha256: 'a'.repeat(64), head: pdf })).toBe('SIZE_MISMATCH');
    expect(uploadProblem(d, { sizeBytes: 10, sha256: 'b'.repeat(64), head: pdf })).toBe('SHA256_MISMATCH');
    expect(uploadProblem(d, { sizeBytes: 10, sha256: 'a'.repeat(64), head: Uint8Array.from(Buffer.from('<html>')) })).toBe('TYPE_MISMATCH');
  });
  it('knows PNG and JPEG signatures', () => {
    expect(hasSignatureOf('image/png', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe(true);
    expect(hasSignatureOf('image/png', Uint8Array.from([0xff, 0xd8, 0xff]))).toBe(false);
    expect(hasSignatureOf('image/jpeg', Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]))).toBe(true);
    expect(hasSignatureOf('image/jpeg', Uint8Array.from([0xff, 0xd8]))).toBe(false);
  });
});

describe('attachDecision', () => {
  const record = { kind: 'WITHDRAWAL' as const, id: 'W1' };
  it('another’s or no document: NOT_FOUND alike; PENDING: NOT_STORED; another record’s: ATTACHED_ELSEWHERE; this one’s: already here', () => {
    expect(attachDecision(undefined, 'member-1', record)).toEqual({ ok: false, refusal: { code: 'NOT_FOUND' } });
    expect(attachDecision(doc(), 'member-2', record)).toEqual({ ok: false, refusal: { code: 'NOT_FOUND' } });
    expect(attachDecision(doc({ status: 'PENDING' }), 'member-1', record)).toEqual({ ok: false, refusal: { code: 'NOT_STORED' } });
    expect(attachDecision(doc({ attachedTo: { ...attached, id: 'W2' } }), 'member-1', record)).toEqual({ ok: false, refusal: { code: 'ATTACHED_ELSEWHERE' } });
    expect(attachDecision(doc({ attachedTo: { ...attached, kind: 'LOAN' } }), 'member-1', record)).toEqual({ ok: false, refusal: { code: 'ATTACHED_ELSEWHERE' } });
    expect(attachDecision(doc({ attachedTo: attached }), 'member-1', record)).toEqual({ ok: true, alreadyHere: true });
    expect(attachDecision(doc(), 'member-1', record)).toEqual({ ok: true, alreadyHere: false });
  });
});

describe('schemas', () => {
  const ok = { fileName: ' 租赁合同（第1页）.pdf ', contentType: 'application/pdf', sizeBytes: 10_485_760, sha256: '0123456789abcdef'.repeat(4) };
  it('a declaration: the name trimmed, 10 MiB at most, lowercase hex', () => {
    expect(createDocumentBody.parse(ok)).toEqual({ ...ok, fileName: '租赁合同（第1页）.pdf' });
    for (const bad of [{ ...ok, sizeBytes: 10_485_761 }, { ...ok, sizeBytes: -1 }, { ...ok, contentType: 'application/x-pdf' }, { ...ok, sha256: ok.sha256.toUpperCase() }, { ...ok, fileName: 'a/b.pdf' }, { ...ok, fileName: '..' }, { ...ok, fileName: 'a\u202Eb.pdf' }, { ...ok, more: true }]) {
      expect(createDocumentBody.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
  it('documentIds: 1–10 distinct ids of the domain’s form', () => {
    const id = (n: number) => `D${String(n).padStart(26, '0')}`;
    expect(documentIdList.safeParse([id(1), id(2)]).success).toBe(true);
    for (const bad of [[], [id(1), id(1)], Array.from({ length: 11 }, (_, i) => id(i)), ['d' + '0'.repeat(26)], [id(1) + '0']]) expect(documentIdList.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });
});
