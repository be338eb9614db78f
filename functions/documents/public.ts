// What other domains may use of the documents domain: the schema of an application's `documentIds`
// and the plan that attaches them in the record's own commit. Nothing else of functions/documents/
// is imported from outside it.
//
// Use (withdrawals, loans): validate `documentIds` with `documentIdList` at the edge; in the plan of
// the record, `planAttachDocuments({ documentIds, submitter: { sub }, record: { kind, id, branch,
// accountNo } })` → `{ items, documents }`: put `items` (≤ 10, one per document) in the record's commit
// and `documents` ({ documentId, fileName, contentType, sizeBytes, sha256 }) in its archive record.
// Refusals (DomainError, nothing written): NOT_FOUND (no such document, or another caller's: the same
// answer), INVALID_STATE (not STORED — not uploaded, something else than declared was uploaded, or not
// read back yet: the uploader's first GET is the check that stores it — or already attached to another
// record). Attached, it is readable by the staff covering `record.branch` and by auditors. The caller's
// function needs `documents: 'readwrite'` on the table (the attach item) and nothing of the bucket.
export { documentIdList } from './schemas.ts';
export { planAttachDocuments, type AttachInput, type AttachPlan } from './usecases/attach.ts';
export type { ArchivedDocument, RecordKind } from './domain/document.ts';
export { MAX_DOCUMENTS_PER_RECORD } from './domain/document.ts';
