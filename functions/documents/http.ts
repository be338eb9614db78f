// HTTP entry point of the documents domain (材料, api.md "Documents and certificates"). Thin: the
// schemas are in schemas.ts, the flows in usecases/.
import { httpHandler, route } from '../../shared/http.ts';
import { createDocumentBody } from './schemas.ts';
import { createDocument } from './usecases/upload.ts';
import { readDocument } from './usecases/read.ts';

export const handler = httpHandler('documents', {
  'POST /v1/documents': route({
    summary: "Declare a document upload / 上传材料",
    description: "Declare a document (fileName, contentType, sizeBytes ≤ 10 MiB, sha256) → 201 { documentId, uploadUrl, uploadMethod, uploadHeaders, expiresAt }: a pre-signed PUT binding the type, size and SHA-256 (member, unit, staff) / 登记材料并获取预签名上传地址。",
    errors: ["POLICY_VIOLATION"],
    example: {"body": {"fileName": "收入证明.pdf", "contentType": "application/pdf", "sizeBytes": 4096, "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}, "response": {"documentId": "DOC0001", "uploadUrl": "https://documents.example/DOC0001?X-Amz-Signature=...", "uploadMethod": "PUT", "uploadHeaders": {"content-type": "application/pdf"}, "expiresAt": "2026-12-02T03:15:00Z"}},
    roles: ['member', 'unit', 'staff'],
    body: createDocumentBody,
    idempotent: { status: 201 },
    handle: async (req) => createDocument(req.caller, req.body, req.idempotency),
  }),
  'GET /v1/documents/{documentId}': route({
    summary: "A document / 查询材料",
    description: "A document: { documentId, fileName, contentType, sizeBytes, sha256, status: PENDING | STORED, downloadUrl? } — checked against its upload first; a short-lived download link once STORED (the uploader; staff and auditors of the record it is attached to; others 404) / 材料信息及临时下载地址。",
    errors: ["INVALID_STATE"],
    roles: ['member', 'unit', 'staff', 'auditor'],
    handle: async (req) => ({ status: 200, body: await readDocument(req.caller, req.params.documentId, req.log) }),
  }),
});
