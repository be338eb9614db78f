// Request shapes of the documents routes (api.md "Documents and certificates"), strict: unknown fields
// refused. The file name is free text a person chose, so it is the kernel's plainText (printable,
// NFC, trimmed) without path separators or a leading dot: it only ever names the download, never a key.
import * as z from '../../shared/zod.ts';
import { plainText } from '../../shared/schemas.ts';
import { CONTENT_TYPES, MAX_DOCUMENTS_PER_RECORD, MAX_SIZE_BYTES } from './domain/document.ts';

export const FILE_NAME_MAX_CHARS = 200;

export const fileName = plainText(FILE_NAME_MAX_CHARS).check(
  z.refine((s) => !/[/\\]/.test(s), { error: 'fileName must not contain / or \\ / 文件名不得含路径分隔符' }),
  z.refine((s) => !s.startsWith('.'), { error: 'fileName must not start with a dot / 文件名不得以点开头' }),
);

/** A SHA-256 as 64 lowercase hex digits. */
export const sha256Hex = z.string({ error: 'sha256 must be a string of 64 lowercase hex digits' }).check(z.regex(/^[0-9a-f]{64}$/, { error: 'sha256 must be 64 lowercase hex digits / sha256 须为64位小写十六进制' }));

export const createDocumentBody = z.strictObject({
  fileName,
  contentType: z.enum(CONTENT_TYPES, { error: `contentType must be one of ${CONTENT_TYPES.join(', ')} / 文件类型不支持` }),
  sizeBytes: z.int({ error: 'sizeBytes must be an integer / 文件大小须为整数' }).check(
    z.gte(1, { error: 'sizeBytes must be at least 1 / 文件不得为空' }),
    z.lte(MAX_SIZE_BYTES, { error: `sizeBytes must not exceed ${MAX_SIZE_BYTES} (10 MiB) / 文件不得超过10 MiB` }),
  ),
  sha256: sha256Hex,
});
export type CreateDocumentBody = z.infer<typeof createDocumentBody>;

/** A document id as the documents domain gives them (`D` + 26 of Crockford base32); anything else is simply not found. */
export const DOCUMENT_ID = /^D[0-9A-Z]{26}$/;

/**
 * `documentIds` of an application's evidence (withdrawals, loans): 1–10 distinct document ids. Other
 * domains take it through public.ts.
 */
export const documentIdList = z.array(z.string().check(z.regex(DOCUMENT_ID, { error: 'a document id is D followed by 26 of [0-9A-Z] / 材料编号格式错误' }))).check(
  z.minLength(1, { error: 'documentIds must name at least one document (or be left out) / 至少一份材料' }),
  z.maxLength(MAX_DOCUMENTS_PER_RECORD, { error: `at most ${MAX_DOCUMENTS_PER_RECORD} documents / 最多${MAX_DOCUMENTS_PER_RECORD}份材料` }),
  z.refine((ids) => new Set(ids).size === ids.length, { error: 'a document is listed once / 材料不得重复' }),
);
