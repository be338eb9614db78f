// GET /v1/documents/{documentId}: the document to those who may see it (domain `mayRead`), 404 to
// everyone else exactly as for an unknown id. A PENDING document is checked against its upload first
// (usecases/verify.ts); a STORED one answers a short-lived pre-signed GET.
import { notFound, type Caller } from '../../../shared/auth.ts';
import { now } from '../../../shared/clock.ts';
import { presignGet } from '../../../shared/s3.ts';
import type { Logger } from '../../../shared/log.ts';
import { DOWNLOAD_URL_SECONDS, documentView, mayRead, type DocumentView } from '../domain/document.ts';
import { DOCUMENT_ID } from '../schemas.ts';
import { getDocument } from '../store.ts';
import { BUCKET } from './upload.ts';
import { verifyUpload } from './verify.ts';

export async function readDocument(caller: Caller, documentId: string, log?: Logger): Promise<DocumentView> {
  const found = DOCUMENT_ID.test(documentId) ? await getDocument(documentId) : undefined;
  if (!found || !mayRead(caller, found)) return notFound('Document');
  const d = await verifyUpload(found, log);
  if (d.status !== 'STORED' || !d.storedKey) return documentView(d);
  const link = await presignGet(BUCKET, d.storedKey, { expiresInSeconds: DOWNLOAD_URL_SECONDS, now: now(), fileName: d.fileName, contentType: d.contentType });
  return documentView(d, link);
}
