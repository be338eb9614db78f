// POST /v1/documents: a member, a unit's agent or a clerk declares a document (name, type, size,
// SHA-256) and gets a pre-signed PUT that binds exactly those (S3 refuses another type, size or
// content). The record (PENDING) and the idempotency record commit together: a replay answers the
// same document and URL.
import { commit, type IdempotencyContext, type Outcome } from '../../../shared/tx.ts';
import { now } from '../../../shared/clock.ts';
import { newId } from '../../../shared/ids.ts';
import { presignPut } from '../../../shared/s3.ts';
import type { Caller } from '../../../shared/auth.ts';
import { UPLOAD_URL_SECONDS, uploaderOf, uploadKeyOf, type ContentType, type Document } from '../domain/document.ts';
import { putDocumentItem } from '../store.ts';

export const BUCKET = 'documents';

export interface UploadAnswer {
  documentId: string;
  uploadUrl: string;
  /** The method and headers the upload must use exactly (they are signed). */
  uploadMethod: 'PUT';
  uploadHeaders: Record<string, string>;
  expiresAt: string;
}

export function createDocument(
  caller: Caller,
  body: { fileName: string; contentType: ContentType; sizeBytes: number; sha256: string },
  idempotency: IdempotencyContext | undefined,
): Promise<Outcome<UploadAnswer>> {
  const documentId = newId('D');
  return commit({
    idempotency,
    status: 201,
    plan: async () => {
      const at = now();
      const uploadKey = uploadKeyOf(documentId);
      const put = await presignPut(BUCKET, uploadKey, { contentType: body.contentType, sizeBytes: body.sizeBytes, sha256Hex: body.sha256, expiresInSeconds: UPLOAD_URL_SECONDS, now: at });
      const doc: Document = {
        documentId,
        fileName: body.fileName,
        contentType: body.contentType,
        sizeBytes: body.sizeBytes,
        sha256: body.sha256,
        status: 'PENDING',
        uploader: uploaderOf(caller),
        createdAt: at.toISOString(),
        uploadExpiresAt: put.expiresAt,
        uploadKey,
      };
      return { items: [putDocumentItem(doc)], body: { documentId, uploadUrl: put.url, uploadMethod: 'PUT' as const, uploadHeaders: put.headers, expiresAt: put.expiresAt } };
    },
  });
}
