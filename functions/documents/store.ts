// The documents table: the only code that knows its keys and conditions.
//
// Keys (table `documents`):
//   DOC#<documentId> / DOC    a document: what was declared, by whom, its status and the record it went with
import { getItem, transition, updateIf, type TxItem } from '../../shared/ddb.ts';
import { tableName } from '../../shared/config.ts';
import type { AttachedTo, Document, RejectionReason } from './domain/document.ts';

const T = () => tableName('documents');
const docKey = (id: string) => ({ pk: `DOC#${id}`, sk: 'DOC' });

export const getDocument = (documentId: string) => getItem<Document>(T(), docKey(documentId));

/** The new document (PENDING), written once. */
export const putDocumentItem = (d: Document): TxItem => ({
  Put: { TableName: T(), Item: { ...docKey(d.documentId), ...d }, ConditionExpression: 'attribute_not_exists(pk)' },
});

/** PENDING → STORED with where the checked bytes are; false when it was no longer PENDING. */
export const markStored = (documentId: string, storedKey: string, at: string): Promise<boolean> =>
  updateIf(transition({ TableName: T(), Key: docKey(documentId), from: 'PENDING', to: 'STORED', set: { storedKey, storedAt: at }, remove: ['lastRejection'] }));

/** Notes a refused (deleted) upload on a document still PENDING; false when it was no longer PENDING. */
export const recordRejection = (documentId: string, reason: RejectionReason, at: string): Promise<boolean> =>
  updateIf({
    TableName: T(),
    Key: docKey(documentId),
    UpdateExpression: 'SET lastRejection = :r',
    ConditionExpression: 'attribute_exists(pk) AND #s = :pending',
    ExpressionAttributeNames: { '#s': 'status' },
    ExpressionAttributeValues: { ':pending': 'PENDING', ':r': { reason, at } },
  });

/** Attaches a STORED document of `uploaderSub` that belongs to no record yet (in the record's commit). */
export const attachItem = (documentId: string, uploaderSub: string, to: AttachedTo): TxItem => ({
  Update: {
    TableName: T(),
    Key: docKey(documentId),
    UpdateExpression: 'SET attachedTo = :to',
    ConditionExpression: 'attribute_exists(pk) AND #s = :stored AND uploader.#sub = :sub AND attribute_not_exists(attachedTo)',
    ExpressionAttributeNames: { '#s': 'status', '#sub': 'sub' },
    ExpressionAttributeValues: { ':stored': 'STORED', ':sub': uploaderSub, ':to': to },
  },
});

/** The document is still attached to exactly this record (a re-planned commit that finds it done). */
export const attachedCheckItem = (documentId: string, to: Pick<AttachedTo, 'kind' | 'id'>): TxItem => ({
  ConditionCheck: {
    TableName: T(),
    Key: docKey(documentId),
    ConditionExpression: 'attachedTo.#kind = :k AND attachedTo.#id = :id',
    ExpressionAttributeNames: { '#kind': 'kind', '#id': 'id' },
    ExpressionAttributeValues: { ':k': to.kind, ':id': to.id },
  },
});

