// Text that people type and that the system compares: document numbers, bank account numbers,
// names and free text. Pure functions, no zod, no I/O (the zod edge is shared/schemas.ts).
//
// A document number (property certificate, contract, permit, lease, receipt, bank reference…) is
// compared with other numbers by the fraud rules ("this property was claimed by another account"),
// so it must have ONE written form: Unicode NFKC (full-width ＡＢＣ１２３（） become ABC123()),
// Latin letters upper-cased, and then every character must belong to the number's alphabet. A
// character outside it (a zero-width space, a soft hyphen, a Cyrillic "А" that looks like a Latin
// "A", a space) is refused, never silently dropped: dropping it would make two different inputs
// collide, and a look-alike letter would make one number two.

/** Latin capitals, digits, Chinese ideographs (川, 不动产权第…号) and the punctuation numbers use. */
const DOCUMENT_NUMBER_CHAR = /[A-Z0-9\p{Unified_Ideograph}\-_/.#()[\]〔〕【】]/u;
export const DOCUMENT_NUMBER_MAX_CHARS = 64;
/** Bank account numbers (payee accounts, bank accounts of record): digits only. */
export const BANK_ACCOUNT_MIN_DIGITS = 8;
export const BANK_ACCOUNT_MAX_DIGITS = 32;
export const PERSON_NAME_MAX_CHARS = 50;

export type TextProblem =
  | { kind: 'EMPTY' }
  | { kind: 'TOO_LONG'; max: number }
  /** A character outside the alphabet, with its position (0-based, in code points) and code point. */
  | { kind: 'CHARACTER'; index: number; codePoint: string };

export type Canonical = { ok: true; value: string } | { ok: false; problem: TextProblem };

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** No lone surrogate (a string JSON can carry, `"\ud800"`, that is no Unicode text). */
export const wellFormed = (s: string): boolean => !LONE_SURROGATE.test(s);

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

function firstOutside(chars: readonly string[], allowed: (ch: string, i: number) => boolean): TextProblem | undefined {
  for (let i = 0; i < chars.length; i++) if (!allowed(chars[i], i)) return { kind: 'CHARACTER', index: i, codePoint: codePoint(chars[i]) };
  return undefined;
}

/**
 * The canonical form of a document number: NFKC, Latin letters upper-cased, every character in the
 * document-number alphabet, 1–`max` characters. `pc-alice-1`, `PC－ALICE－1` and `PC-ALICE-1` are the
 * same number; `PC-ALICE\u200b-1` and `PC-АLICE-1` (Cyrillic А) are refused.
 */
export function canonicalDocumentNumber(raw: string, max = DOCUMENT_NUMBER_MAX_CHARS): Canonical {
  if (typeof raw !== 'string' || !wellFormed(raw)) return { ok: false, problem: { kind: 'CHARACTER', index: 0, codePoint: 'lone surrogate' } };
  const chars = [...raw.normalize('NFKC').replace(/[a-z]/g, (c) => c.toUpperCase())];
  if (chars.length === 0) return { ok: false, problem: { kind: 'EMPTY' } };
  if (chars.length > max) return { ok: false, problem: { kind: 'TOO_LONG', max } };
  const bad = firstOutside(chars, (ch) => DOCUMENT_NUMBER_CHAR.test(ch));
  return bad ? { ok: false, problem: bad } : { ok: true, value: chars.join('') };
}

/** A bank account number: NFKC (full-width digits become ASCII), then 8–32 digits. */
export function canonicalBankAccount(raw: string): Canonical {
  if (typeof raw !== 'string' || !wellFormed(raw)) return { ok: false, problem: { kind: 'CHARACTER', index: 0, codePoint: 'lone surrogate' } };
  const chars = [...raw.normalize('NFKC')];
  if (chars.length === 0) return { ok: false, problem: { kind: 'EMPTY' } };
  if (chars.length > BANK_ACCOUNT_MAX_DIGITS) return { ok: false, problem: { kind: 'TOO_LONG', max: BANK_ACCOUNT_MAX_DIGITS } };
  const bad = firstOutside(chars, (ch) => ch >= '0' && ch <= '9');
  if (bad) return { ok: false, problem: bad };
  if (chars.length < BANK_ACCOUNT_MIN_DIGITS) return { ok: false, problem: { kind: 'EMPTY' } };
  return { ok: true, value: chars.join('') };
}

// Characters that are never text a person meant: controls (C0, DEL, C1), format characters (zero
// width space/joiners, soft hyphen, word joiner, bidirectional overrides and isolates, BOM), private
// use, unassigned code points and lone surrogates, line and paragraph separators.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}]/u;
const NON_PRINTABLE_EXCEPT_NEWLINE = /[\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\u0000-\u0008\u000B-\u001F\u007F-\u009F]/u;
const NAME_CHAR = /[\p{L}\p{M}\p{N} ·•.'-]/u;
const LETTER = /\p{L}/u;

/**
 * A person's name: NFC, letters of any script with their combining marks, digits (a register's
 * placeholder names such as 职工12), and the separators names use (space, middle dot `·` of minority
 * names, `.`, `'`, `-`); it starts with a letter and ends with a letter, mark or digit; 1–50
 * characters. Nothing invisible, no control or direction override.
 */
export function canonicalPersonName(raw: string, max = PERSON_NAME_MAX_CHARS): Canonical {
  if (typeof raw !== 'string' || !wellFormed(raw)) return { ok: false, problem: { kind: 'CHARACTER', index: 0, codePoint: 'lone surrogate' } };
  const chars = [...raw.normalize('NFC')];
  if (chars.length === 0) return { ok: false, problem: { kind: 'EMPTY' } };
  if (chars.length > max) return { ok: false, problem: { kind: 'TOO_LONG', max } };
  const bad = firstOutside(chars, (ch, i) => NAME_CHAR.test(ch) && (i > 0 && i < chars.length - 1 ? true : /[\p{L}\p{M}\p{N}]/u.test(ch)));
  if (bad) return { ok: false, problem: bad };
  if (!LETTER.test(chars[0])) return { ok: false, problem: { kind: 'CHARACTER', index: 0, codePoint: codePoint(chars[0]) } };
  return { ok: true, value: chars.join('') };
}

/**
 * Free text (a unit's name, a note, a reason, an authority): NFC, trimmed, printable characters only
 * (`multiline`: line feeds and tabs allowed), at least one letter or digit, 1–`max` characters.
 */
export function canonicalText(raw: string, max: number, opts: { multiline?: boolean } = {}): Canonical {
  if (typeof raw !== 'string' || !wellFormed(raw)) return { ok: false, problem: { kind: 'CHARACTER', index: 0, codePoint: 'lone surrogate' } };
  const chars = [...raw.normalize('NFC').trim()];
  if (chars.length === 0) return { ok: false, problem: { kind: 'EMPTY' } };
  if (chars.length > max) return { ok: false, problem: { kind: 'TOO_LONG', max } };
  const forbidden = opts.multiline ? NON_PRINTABLE_EXCEPT_NEWLINE : NON_PRINTABLE;
  const bad = firstOutside(chars, (ch) => !forbidden.test(ch));
  if (bad) return { ok: false, problem: bad };
  if (!chars.some((ch) => /[\p{L}\p{N}]/u.test(ch))) return { ok: false, problem: { kind: 'EMPTY' } };
  return { ok: true, value: chars.join('') };
}

/**
 * Characters refused anywhere in a request body, whatever the field: controls other than tab, line
 * feed and carriage return (C0, DEL, C1), bidirectional embeddings, overrides and isolates (which
 * make text display in another order than it is stored), and lone surrogates. The index of the
 * first, or -1.
 */
const NEVER_IN_A_BODY = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
export function forbiddenCharacterIn(s: string): boolean {
  return NEVER_IN_A_BODY.test(s) || !wellFormed(s);
}
