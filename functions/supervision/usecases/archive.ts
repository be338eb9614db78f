// The electronic archive (电子档案) of one business record, for those it belongs to: the latest
// record's owner decides; anyone else, like an empty archive, gets 404 (existence is not revealed).
import { readArchive } from '../../../shared/archive.ts';
import { DomainError } from '../../../shared/errors.ts';
import type { Caller } from '../../../shared/auth.ts';
import { canReadArchive } from '../domain/access.ts';
import { archiveView } from '../domain/views.ts';

export async function readSubjectArchive(caller: Caller, subjectType: string, subjectId: string) {
  const records = await readArchive(subjectType, subjectId);
  const latest = records.at(-1);
  if (!latest || !canReadArchive(caller, latest.owner ?? {})) throw new DomainError('NOT_FOUND', 'No archive for this record / 档案不存在');
  return archiveView(subjectType, subjectId, records);
}
