// The kernel's canonical text (shared/text.ts) and strict JSON (shared/json.ts): golden cases from
// the attacker's report (issue 14) and properties over generated input.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { canonicalBankAccount, canonicalDocumentNumber, canonicalPersonName, canonicalText, forbiddenCharacterIn } from '../../shared/text.ts';
import { duplicateKeyPath } from '../../shared/json.ts';

const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\u00ad', '\ufeff', '\u202e', '\u2066', '\u0085'];
const LOOKALIKES = ['\u0410', '\u041e', '\u0420', '\u0421', '\u0415', '\u0391', '\u039f', '\u2010', '\u2212', '\u3007', '\u2e80'];

describe('document numbers', () => {
  it('one written form: case, full-width and compatibility forms are the same number', () => {
    for (const x of ['PC-ALICE-1', 'pc-alice-1', 'Pc-Alice-1', 'ＰＣ－ＡＬＩＣＥ－１', 'ｐｃ-alice-１']) expect(canonicalDocumentNumber(x)).toEqual({ ok: true, value: 'PC-ALICE-1' });
    expect(canonicalDocumentNumber('川（2023）成都市不动产权第0123456号')).toEqual({ ok: true, value: '川(2023)成都市不动产权第0123456号' });
    expect(canonicalDocumentNumber('川府发〔2023〕1号')).toEqual({ ok: true, value: '川府发〔2023〕1号' });
  });

  it('refuses every invisible and look-alike character, at its position, instead of dropping it', () => {
    for (const ch of [...INVISIBLE, ...LOOKALIKES, ' ', '\t', '\u3000']) {
      const r = canonicalDocumentNumber(`PC-ALICE${ch}-1`);
      expect(r.ok, JSON.stringify(ch)).toBe(false);
      if (!r.ok) expect(r.problem).toMatchObject({ kind: 'CHARACTER', index: 8 });
    }
    expect(canonicalDocumentNumber('PC-\u0410LICE-1')).toMatchObject({ ok: false, problem: { kind: 'CHARACTER', index: 3, codePoint: 'U+0410' } });
    expect(canonicalDocumentNumber('\ud800')).toMatchObject({ ok: false });
    expect(canonicalDocumentNumber('')).toMatchObject({ ok: false, problem: { kind: 'EMPTY' } });
    expect(canonicalDocumentNumber('A'.repeat(65))).toMatchObject({ ok: false, problem: { kind: 'TOO_LONG', max: 64 } });
  });

  it('property: canonical forms are fixed points, and two inputs with one canonical form differ only in case or compatibility form', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (s) => {
        const r = canonicalDocumentNumber(s);
        if (!r.ok) return;
        expect(canonicalDocumentNumber(r.value)).toEqual(r);
        expect(r.value.normalize('NFKC').toUpperCase()).toBe(r.value);
        // nothing invisible or look-alike survives
        for (const ch of [...INVISIBLE, ...LOOKALIKES]) expect(r.value.includes(ch)).toBe(false);
        expect(s.normalize('NFKC').toUpperCase()).toBe(r.value);
      }),
      { numRuns: 3000 },
    );
  });

  it('property: inserting any invisible or look-alike character into a valid number is refused, never the same number', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z0-9-]{1,20}$/), fc.constantFrom(...INVISIBLE, ...LOOKALIKES), fc.nat(), (n, ch, at) => {
        const i = at % (n.length + 1);
        expect(canonicalDocumentNumber(n.slice(0, i) + ch + n.slice(i)).ok).toBe(false);
      }),
    );
  });
});

describe('bank accounts, names and text', () => {
  it('bank account numbers: digits only, full-width digits made ASCII', () => {
    expect(canonicalBankAccount('６２２２０２１２３４５６')).toEqual({ ok: true, value: '622202123456' });
    for (const bad of ['6222 0212 3456', '6222-0212-3456', '6222\u200b02123456', '1234567', '1'.repeat(33)]) expect(canonicalBankAccount(bad).ok, bad).toBe(false);
  });

  it('names: letters of any script and the separators names use; nothing invisible, no override, no control', () => {
    for (const ok of ['张三', '阿依古丽·买买提', "O'Brien", 'Anne-Marie', 'José', '职工12']) expect(canonicalPersonName(ok)).toEqual({ ok: true, value: ok.normalize('NFC') });
    for (const bad of ['\u200b', '张\u202e三', '张\u0085三', '\ud800', ' 张三', '·张', '12', '', '张'.repeat(51)]) expect(canonicalPersonName(bad).ok, JSON.stringify(bad)).toBe(false);
  });

  it('free text: printable, trimmed, at least one letter or digit; line breaks only where multi-line', () => {
    expect(canonicalText('  情况属实  ', 100)).toEqual({ ok: true, value: '情况属实' });
    expect(canonicalText('第一行\n第二行', 100).ok).toBe(false);
    expect(canonicalText('第一行\n第二行', 100, { multiline: true })).toEqual({ ok: true, value: '第一行\n第二行' });
    for (const bad of ['\u200b', '\u00ad', 'a\u202eb', '---', '']) expect(canonicalText(bad, 100).ok, JSON.stringify(bad)).toBe(false);
  });

  it('characters never allowed anywhere in a body', () => {
    for (const bad of ['\u0000', '\u001b', '\u007f', '\u0085', '\u009f', '\u202a', '\u202e', '\u2066', '\u2069', '\ud800', '\udc00x']) expect(forbiddenCharacterIn(`a${bad}`), JSON.stringify(bad)).toBe(true);
    for (const ok of ['a\tb', 'a\nb', '张三', '😀', 'a\u200db']) expect(forbiddenCharacterIn(ok)).toBe(false);
  });
});

describe('duplicate JSON keys', () => {
  it('finds a key named twice in one object, after unescaping, at any depth', () => {
    expect(duplicateKeyPath('{"a":1,"a":2}')).toBe('a');
    expect(duplicateKeyPath('{"a":1,"\\u0061":2}')).toBe('a');
    expect(duplicateKeyPath('{"x":{"items":[{"k":1},{"k":2,"k":3}]}}')).toBe('x.items.1.k');
    expect(duplicateKeyPath('{"a":{"x":1},"b":{"x":1},"s":"\\"a\\":1,"}')).toBeUndefined();
  });

  it('property: JSON.stringify never repeats a key; adding a repeat of any existing key is found', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1 }), (obj) => {
        const text = JSON.stringify(obj);
        expect(duplicateKeyPath(text)).toBeUndefined();
        const key = Object.keys(obj)[0];
        const doubled = `{${JSON.stringify(key)}:0,${text.slice(1)}`;
        expect(duplicateKeyPath(doubled)).toBe(key);
      }),
      { numRuns: 500 },
    );
  });
});
