// Documents (材料): uploaded evidence — a scan of a lease, a receipt, a certificate — kept in the
// object store and named in the record it was submitted with. Pure rules: who may see a document,
// whether an uploaded object is what was declared, and whether a document may be attached.
//
// Life of a document: POST declares it (name, type, size, SHA-256) → PENDING with a pre-signed PUT to
// `uploads/<documentId>`; the first read after the upload checks the object (size, SHA-256, the type's
// signature bytes): when it is what was declared, exactly those bytes are written to
// `stored/<documentId>` and the document is STORED; anything else is deleted from `uploads/` (the
// uploader may put the right bytes while the URL lasts) and the document stays PENDING. A STORED
// document may be attached once, by its uploader, to a withdrawal or a loan application (in that
// record's own commit); from then on the staff covering the record's branch and auditors may read it.
import type { Caller, Role } from '../../../shared/auth.ts';

export const CONTENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'] as const;
export type ContentType = (typeof CONTENT_TYPES)[number];
/** api.md: sizeBytes ≤ 10485760 (10 MiB). */
export const MAX_SIZE_BYTES = 10 * 1024 * 1024;
/** How long the pre-signed PUT is valid. */
export const UPLOAD_URL_SECONDS = 15 * 60;
/** How long a download link is valid (short-lived). */
export const DOWNLOAD_URL_SECONDS = 300;
/** At most this many documents go with one application. */
export const MAX_DOCUMENTS_PER_RECORD = 10;

export type DocumentStatus = 'PENDING' | 'STORED';
export type RecordKind = 'WITHDRAWAL' | 'LOAN';

/** Who uploaded: the caller's identity and the claims that scoped them then. */
export interface Uploader {
  sub: string;
  role: Role;
  accountNo?: string;
  unitId?: string;
  branch?: string;
}

/** The record a document was submitted with. */
export interface AttachedTo {
  kind: RecordKind;
  id: string;
  branch: string;
  accountNo?: string;
  attachedAt: string;
}

export type RejectionReason = 'SIZE_MISMATCH' | 'SHA256_MISMATCH' | 'TYPE_MISMATCH';

export interface Document {
  documentId: string;
  fileName: string;
  contentType: ContentType;
  sizeBytes: number;
  /** Declared SHA-256, 64 lowercase hex. */
  sha256: string;
  status: DocumentStatus;
  uploader: Uploader;
  createdAt: string;
  /** When the pre-signed PUT stops working. */
  uploadExpiresAt: string;
  /** Where the uploader puts the bytes. */
  uploadKey: string;
  /** Where the checked bytes are (STORED). */
  storedKey?: string;
  storedAt?: string;
  /** The last upload that was refused (deleted): why and when. */
  lastRejection?: { reason: RejectionReason; at: string };
  attachedTo?: AttachedTo;
}

export const uploadKeyOf = (documentId: string) => `uploads/${documentId}`;
export const storedKeyOf = (documentId: string) => `stored/${documentId}`;

export const uploaderOf = (caller: Caller): Uploader => ({
  sub: caller.sub,
  role: caller.role,
  ...(caller.role === 'member' && caller.accountNo ? { accountNo: caller.accountNo } : {}),
  ...(caller.role === 'unit' && caller.unitId ? { unitId: caller.unitId } : {}),
  ...(caller.role === 'staff' && caller.branch ? { branch: caller.branch } : {}),
});

export const isUploader = (caller: Pick<Caller, 'sub' | 'role'>, d: Pick<Document, 'uploader'>) => caller.sub === d.uploader.sub && caller.role === d.uploader.role;

/**
 * Who may read a document: its uploader; once attached, staff covering the record's branch (`*`:
 * city level) and auditors. Everyone else is answered as if it did not exist.
 */
export function mayRead(caller: Caller, d: Pick<Document, 'uploader' | 'attachedTo'>): boolean {
  if (isUploader(caller, d)) return true;
  if (!d.attachedTo) return false;
  if (caller.role === 'auditor') return true;
  return caller.role === 'staff' && (caller.branch === '*' || caller.branch === d.attachedTo.branch);
}

/** The first bytes each accepted type starts with (its file signature). */
const SIGNATURES: Record<ContentType, readonly number[]> = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46, 0x2d], // %PDF-
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  'image/jpeg': [0xff, 0xd8, 0xff],
};

export const hasSignatureOf = (type: ContentType, head: Uint8Array) => SIGNATURES[type].every((b, i) => head[i] === b);

/**
 * Whether the uploaded object is the declared document: its size, its SHA-256 (computed by the
 * caller over the bytes read) and the signature bytes of its type. Undefined when it is.
 */
export function uploadProblem(d: Pick<Document, 'sizeBytes' | 'sha256' | 'contentType'>, object: { sizeBytes: number; sha256: string; head: Uint8Array }): RejectionReason | undefined {
  if (object.sizeBytes !== d.sizeBytes) return 'SIZE_MISMATCH';
  if (object.sha256 !== d.sha256) return 'SHA256_MISMATCH';
  if (!hasSignatureOf(d.contentType, object.head)) return 'TYPE_MISMATCH';
  return undefined;
}

export type AttachRefusal = { code: 'NOT_FOUND' } | { code: 'NOT_STORED' } | { code: 'ATTACHED_ELSEWHERE' };

/**
 * Whether a document may go with a record: it exists and the submitter uploaded it (else NOT_FOUND,
 * whoever else's it is), it is STORED, and it belongs to no other record. `alreadyHere`: it is
 * attached to this very record (a re-planned commit): nothing to write.
 */
export function attachDecision(d: Document | undefined, submitterSub: string, record: { kind: RecordKind; id: string }): { ok: true; alreadyHere: boolean } | { ok: false; refusal: AttachRefusal } {
  if (!d || d.uploader.sub !== submitterSub) return { ok: false, refusal: { code: 'NOT_FOUND' } };
  if (d.status !== 'STORED') return { ok: false, refusal: { code: 'NOT_STORED' } };
  if (d.attachedTo) {
    if (d.attachedTo.kind === record.kind && d.attachedTo.id === record.id) return { ok: true, alreadyHere: true };
    return { ok: false, refusal: { code: 'ATTACHED_ELSEWHERE' } };
  }
  return { ok: true, alreadyHere: false };
}

/** What a record's archive keeps of each document it was submitted with. */
export type ArchivedDocument = Pick<Document, 'documentId' | 'fileName' | 'contentType' | 'sizeBytes' | 'sha256'>;

export const archivedDocument = (d: Document): ArchivedDocument => ({ documentId: d.documentId, fileName: d.fileName, contentType: d.contentType, sizeBytes: d.sizeBytes, sha256: d.sha256 });

/** GET /v1/documents/{documentId} (api.md), with the download link once STORED. */
export interface DocumentView extends ArchivedDocument {
  status: DocumentStatus;
  createdAt: string;
  storedAt?: string;
  downloadUrl?: string;
  downloadExpiresAt?: string;
  uploadExpiresAt?: string;
  lastRejection?: { reason: RejectionReason; at: string };
  attachedTo?: { kind: RecordKind; id: string };
}

export function documentView(d: Document, download?: { url: string; expiresAt: string }): DocumentView {
  return {
    documentId: d.documentId,
    fileName: d.fileName,
    contentType: d.contentType,
    sizeBytes: d.sizeBytes,
    sha256: d.sha256,
    status: d.status,
    createdAt: d.createdAt,
    ...(d.storedAt ? { storedAt: d.storedAt } : {}),
    ...(download ? { downloadUrl: download.url, downloadExpiresAt: download.expiresAt } : {}),
    ...(d.status === 'PENDING' ? { uploadExpiresAt: d.uploadExpiresAt } : {}),
    ...(d.status === 'PENDING' && d.lastRejection ? { lastRejection: d.lastRejection } : {}),
    ...(d.attachedTo ? { attachedTo: { kind: d.attachedTo.kind, id: d.attachedTo.id } } : {}),
  };
}
