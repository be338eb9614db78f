// HTTP entry point of the documents domain (材料, api.md "Documents and certificates"). Thin: the
// schemas are in schemas.ts, the flows in usecases/.
import { httpHandler, route } from '../../shared/http.ts';
import { createDocumentBody } from './schemas.ts';
import { createDocument } from './usecases/upload.ts';
import { readDocument } from './usecases/read.ts';

export const handler = httpHandler('documents', {
  'POST /v1/documents': route({
    summary: 'Declare a document (fileName, contentType, sizeBytes ≤ 10 MiB, sha256) → 201 { documentId, uploadUrl, uploadMethod, uploadHeaders, expiresAt }: a pre-signed PUT binding the type, size and SHA-256 (member, unit, staff)',
    roles: ['member', 'unit', 'staff'],
    body: createDocumentBody,
    idempotent: { status: 201 },
    handle: async (req) => createDocument(req.caller, req.body, req.idempotency),
  }),
  'GET /v1/documents/{documentId}': route({
    summary: 'A document: { documentId, fileName, contentType, sizeBytes, sha256, status: PENDING | STORED, downloadUrl? } — checked against its upload first; a short-lived download link once STORED (the uploader; staff and auditors of the record it is attached to; others 404)',
    roles: ['member', 'unit', 'staff', 'auditor'],
    handle: async (req) => ({ status: 200, body: await readDocument(req.caller, req.params.documentId, req.log) }),
  }),
});
