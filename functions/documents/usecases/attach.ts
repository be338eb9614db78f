// Attaching documents to the record they were submitted with (a withdrawal, a loan application):
// planned here, committed in that record's own transaction (public.ts). Only a STORED document goes
// with a record: the uploader reads it back once after the upload (GET /v1/documents/{id}: the check
// that makes it STORED). Checking it here instead would give every submitting function the bucket
// and write access to the documents table's checks; as it is, they read the table and write the
// one conditional attach item, and only documents-http touches the object store.
import { DomainError } from '../../../shared/errors.ts';
import { nowIso } from '../../../shared/clock.ts';
import type { TxItem } from '../../../shared/ddb.ts';
import { archivedDocument, attachDecision, type ArchivedDocument, type RecordKind } from '../domain/document.ts';
import { attachedCheckItem, attachItem, getDocument } from '../store.ts';

export interface AttachInput {
  documentIds: readonly string[];
  /** Who submits the record: only documents they uploaded go with it. */
  submitter: { sub: string };
  record: { kind: RecordKind; id: string; branch: string; accountNo?: string };
  /** Where the ids were in the request (for the problem's field path), e.g. `body.evidence.documentIds`. */
  path?: string;
}

export interface AttachPlan {
  items: TxItem[];
  documents: ArchivedDocument[];
}

export async function planAttachDocuments(input: AttachInput): Promise<AttachPlan> {
  const path = input.path ?? 'body.documentIds';
  if (input.documentIds.length === 0) return { items: [], documents: [] };
  const found = await Promise.all(input.documentIds.map((id) => getDocument(id)));
  const at = nowIso();
  const items: TxItem[] = [];
  const documents: ArchivedDocument[] = [];
  found.forEach((d, i) => {
    const decision = attachDecision(d, input.submitter.sub, input.record);
    const field = `${path}.${i}`;
    if (!decision.ok) {
      switch (decision.refusal.code) {
        case 'NOT_FOUND':
          throw new DomainError('NOT_FOUND', `Document ${input.documentIds[i]} not found among your uploads / 未找到该材料`, [{ path: field, message: 'no document of yours with this id' }]);
        case 'NOT_STORED':
          throw new DomainError('INVALID_STATE', `Document ${input.documentIds[i]} is not stored: upload the declared bytes with its URL, then read it once (GET /v1/documents/{documentId}) / 材料尚未上传完成（上传后请先查询一次）`, [{ path: field, message: 'not stored' }]);
        case 'ATTACHED_ELSEWHERE':
          throw new DomainError('INVALID_STATE', `Document ${input.documentIds[i]} already belongs to another record / 该材料已用于其他业务`, [{ path: field, message: 'attached to another record' }]);
      }
    }
    const doc = d!;
    items.push(decision.alreadyHere ? attachedCheckItem(doc.documentId, input.record) : attachItem(doc.documentId, input.submitter.sub, { kind: input.record.kind, id: input.record.id, branch: input.record.branch, ...(input.record.accountNo ? { accountNo: input.record.accountNo } : {}), attachedAt: at }));
    documents.push(archivedDocument(doc));
  });
  return { items, documents };
}
