// The check that makes an uploaded object a STORED document. The object store is trusted for
// nothing: S3 enforces the signed checksum, the local emulator does not, so the bytes are read back
// (at most the declared size, ≤ 10 MiB), hashed and compared here. Exactly the bytes that were
// checked are written to `stored/<documentId>` before the record says STORED, so a later PUT to the
// upload key (while its URL lasts) can never change a stored document. An object that is not what was
// declared is deleted (the uploader may put the right bytes) and the document stays PENDING.
import { createHash } from 'node:crypto';
import { deleteObject, getObjectBytes, headObject, putObjectBytes } from '../../../shared/s3.ts';
import { nowIso } from '../../../shared/clock.ts';
import type { Logger } from '../../../shared/log.ts';
import { MAX_SIZE_BYTES, storedKeyOf, uploadProblem, type Document, type RejectionReason } from '../domain/document.ts';
import { getDocument, markStored, recordRejection } from '../store.ts';
import { BUCKET } from './upload.ts';

/** The object at the upload key, bounded: undefined when there is none; 'TOO_LARGE' when it exceeds the bound. */
async function readUpload(key: string, maxBytes: number): Promise<Buffer | undefined | 'TOO_LARGE'> {
  try {
    return await getObjectBytes(BUCKET, key, maxBytes);
  } catch (error) {
    // shared/s3.ts refuses to read an object larger than the bound (it was replaced since the head)
    if (error instanceof Error && / is larger than /.test(error.message)) return 'TOO_LARGE';
    throw error;
  }
}

async function refuse(d: Document, reason: RejectionReason, log?: Logger): Promise<Document> {
  await deleteObject(BUCKET, d.uploadKey);
  const at = nowIso();
  log?.info('upload refused', { documentId: d.documentId, reason });
  if (await recordRejection(d.documentId, reason, at)) return { ...d, lastRejection: { reason, at } };
  return (await getDocument(d.documentId)) ?? d;
}

/** A PENDING document checked against its upload now: STORED, or still PENDING (nothing or a refused object there). */
export async function verifyUpload(d: Document, log?: Logger): Promise<Document> {
  if (d.status !== 'PENDING') return d;
  const head = await headObject(BUCKET, d.uploadKey);
  if (!head) return d;
  if (head.sizeBytes !== d.sizeBytes) return refuse(d, 'SIZE_MISMATCH', log);
  const bytes = await readUpload(d.uploadKey, Math.min(d.sizeBytes, MAX_SIZE_BYTES));
  if (bytes === undefined) return d;
  if (bytes === 'TOO_LARGE') return refuse(d, 'SIZE_MISMATCH', log);
  const problem = uploadProblem(d, { sizeBytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex'), head: bytes.subarray(0, 16) });
  if (problem) return refuse(d, problem, log);
  const storedKey = storedKeyOf(d.documentId);
  await putObjectBytes(BUCKET, storedKey, bytes, d.contentType);
  const at = nowIso();
  if (!(await markStored(d.documentId, storedKey, at))) return (await getDocument(d.documentId)) ?? d; // a concurrent check stored it
  log?.info('document stored', { documentId: d.documentId, sizeBytes: d.sizeBytes });
  // the upload is no longer needed (the lifecycle rule on uploads/ would remove it anyway)
  await deleteObject(BUCKET, d.uploadKey).catch((error) => log?.warn('upload not deleted', { documentId: d.documentId, error }));
  return { ...d, status: 'STORED', storedKey, storedAt: at, lastRejection: undefined };
}
