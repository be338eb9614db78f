// shared/http/parse.ts alone: path parameters, the body's size, and its JSON read strictly; a signed
// route's body is only bounded.
import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, MAX_JSON_DEPTH, parse, parseJsonText } from '../../shared/http/parse.ts';
import type { RouteSpec } from '../../shared/http/types.ts';
import type { Caller } from '../../shared/auth.ts';
import { httpEvent, httpState, middyRequest, refusal, spec } from '../support/http-middleware.ts';

const JSON_TYPE = { 'content-type': 'application/json' };

function parsed(o: Parameters<typeof httpEvent>[1], route: RouteSpec<any, any> = spec(), caller?: Caller) {
  const state = httpState({ spec: route, caller });
  parse().before!(middyRequest(httpEvent('POST /v1/x', o), state));
  return { raw: state.raw, value: state.value };
}
const refused = async (o: Parameters<typeof httpEvent>[1], route?: RouteSpec<any, any>) => {
  const err = await refusal(() => parsed(o, route));
  return { code: err.code, detail: err.message, errors: err.errors };
};
const fieldOf = async (body: string, headers: Record<string, string> = JSON_TYPE) => (await refused({ body, headers })).errors;

describe('parse middleware: path parameters', () => {
  const badParam = (name: string) => ({ code: 'VALIDATION_FAILED', detail: `Invalid path parameter ${name} / 路径参数无效`, errors: [{ path: `path.${name}`, message: '1–128 printable characters, not . or ..' }] });

  it('accepts bounded printable identifiers (Chinese too)', () => {
    expect(parsed({ params: { unitId: 'U-330100_01', name: '张三', long: 'x'.repeat(128) } })).toEqual({ raw: '', value: undefined });
  });

  it('refuses empty, missing, too long, dot segments, slashes, spaces, controls and direction overrides', async () => {
    for (const value of ['', undefined, 'x'.repeat(129), '.', '..', 'a/b', 'a\\b', 'a b', 'a\u0000b', 'a\u007fb', 'a\u202eb', '\ud800']) {
      expect(await refused({ params: { ok: 'fine', unitId: value } }), JSON.stringify(value)).toEqual(badParam('unitId'));
    }
  });

  it('checks the path parameters before the body', async () => {
    expect(await refused({ params: { id: '..' }, body: 'x'.repeat(MAX_BODY_BYTES + 1) })).toEqual(badParam('id'));
  });
});

describe('parse middleware: body size', () => {
  const tooLarge = { code: 'VALIDATION_FAILED', detail: `Request body larger than ${MAX_BODY_BYTES} bytes / 请求体过大`, errors: [] };

  it(`takes at most ${MAX_BODY_BYTES} bytes (counted in UTF-8 bytes, after base64 decoding)`, async () => {
    const atLimit = `"${'x'.repeat(MAX_BODY_BYTES - 2)}"`;
    expect(parsed({ body: atLimit, headers: JSON_TYPE }).raw).toBe(atLimit);
    expect(parsed({ body: atLimit, headers: JSON_TYPE, base64: true }).value).toBe('x'.repeat(MAX_BODY_BYTES - 2));
    expect(await refused({ body: `"${'x'.repeat(MAX_BODY_BYTES - 1)}"`, headers: JSON_TYPE })).toEqual(tooLarge);
    // 中 is 3 bytes: fewer characters than the limit, more bytes
    expect(await refused({ body: `"${'中'.repeat(Math.ceil(MAX_BODY_BYTES / 3))}"`, headers: JSON_TYPE })).toEqual(tooLarge);
  });

  it('bounds a signed route\'s body too', async () => {
    expect(await refused({ body: 'x'.repeat(MAX_BODY_BYTES + 1) }, spec({ auth: 'partner' }))).toEqual(tooLarge);
  });
});

describe('parse middleware: JSON', () => {
  it('reads a JSON body, keeping its text', () => {
    expect(parsed({ body: '{"a":[1,"二"]}', headers: JSON_TYPE })).toEqual({ raw: '{"a":[1,"二"]}', value: { a: [1, '二'] } });
    expect(parsed({ body: '{"a":1}', headers: { 'Content-Type': 'application/problem+json; charset="UTF-8"' } }).value).toEqual({ a: 1 });
    expect(parsed({ body: '[]', headers: { 'content-type': 'application/json;charset=utf8' } }).value).toEqual([]);
  });

  it('reads an empty or blank body as none, whatever its content type', () => {
    expect(parsed({})).toEqual({ raw: '', value: undefined });
    expect(parsed({ body: ' \n ', headers: { 'content-type': 'text/plain' } })).toEqual({ raw: ' \n ', value: undefined });
  });

  it('refuses another content type, or none', async () => {
    const notJson = { code: 'VALIDATION_FAILED', detail: 'Content-Type must be application/json / 请求须为 JSON', errors: [{ path: 'content-type', message: 'expected application/json' }] };
    expect(await refused({ body: '{}', headers: { 'content-type': 'text/plain' } })).toEqual(notJson);
    expect(await refused({ body: '{}' })).toEqual(notJson);
    expect(await refused({ body: '{}', headers: { 'content-type': 'application/jsonp' } })).toEqual(notJson);
  });

  it('refuses a charset other than UTF-8', async () => {
    expect(await refused({ body: '{}', headers: { 'content-type': 'application/json; charset=ISO-8859-1' } })).toEqual({ code: 'VALIDATION_FAILED', detail: 'JSON bodies must be UTF-8 / 请求体须为 UTF-8 编码', errors: [{ path: 'content-type', message: 'charset iso-8859-1 is not accepted; use utf-8' }] });
  });

  it('refuses malformed JSON', async () => {
    expect(await refused({ body: '{"a":', headers: JSON_TYPE })).toEqual({ code: 'VALIDATION_FAILED', detail: 'Malformed JSON body / JSON 格式错误', errors: [{ path: '', message: 'malformed JSON' }] });
  });

  it('refuses a forbidden character in a value or a key, naming where', async () => {
    const detail = 'Control, direction-override and unpaired surrogate characters are not allowed in text / 文本中不得含控制字符、方向控制符或无效字符';
    expect(await refused({ body: '{"a":{"b":["ok","x\\u0007"]}}', headers: JSON_TYPE })).toEqual({ code: 'VALIDATION_FAILED', detail, errors: [{ path: 'a.b.1', message: 'character not allowed' }] });
    expect(await fieldOf('{"a":{"\\u202e":1}}')).toEqual([{ path: 'a', message: 'character not allowed' }]);
    expect(await fieldOf('"\\ud800"')).toEqual([{ path: '', message: 'character not allowed' }]);
  });

  it('refuses a field named twice', async () => {
    expect(await refused({ body: '{"a":{"b":1,"b":2}}', headers: JSON_TYPE })).toEqual({ code: 'VALIDATION_FAILED', detail: 'A JSON object names the same field twice / JSON 字段重复', errors: [{ path: 'a.b', message: 'duplicate key' }] });
  });

  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} levels`, async () => {
    const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(parsed({ body: nest(MAX_JSON_DEPTH), headers: JSON_TYPE }).value).toBeDefined();
    expect(await refused({ body: nest(MAX_JSON_DEPTH + 1), headers: JSON_TYPE })).toEqual({ code: 'VALIDATION_FAILED', detail: `JSON nested deeper than ${MAX_JSON_DEPTH} levels / JSON 嵌套过深`, errors: [{ path: Array(MAX_JSON_DEPTH).fill('0').join('.'), message: 'too deep' }] });
  });

  it('parseJsonText reads as the middleware does (signed routes call it after verifying)', () => {
    expect(parseJsonText('{"a":1}', 'application/json')).toEqual({ a: 1 });
    expect(parseJsonText('', '')).toBeUndefined();
    expect(() => parseJsonText('{}', '')).toThrow('Content-Type must be application/json');
  });
});

describe('parse middleware: signed routes', () => {
  it('keeps the raw body of a partner route unread: no JSON, whatever it holds', () => {
    expect(parsed({ body: '{not json', headers: { 'content-type': 'text/plain' } }, spec({ auth: 'partner' }))).toEqual({ raw: '{not json', value: undefined });
    expect(parsed({ body: '{"a":1,"a":2}', headers: JSON_TYPE, base64: true }, spec({ auth: 'partner' }))).toEqual({ raw: '{"a":1,"a":2}', value: undefined });
  });

  it('keeps a jwt-or-partner body unread without a caller, reads it with one', async () => {
    const either = spec({ auth: 'jwt-or-partner' });
    expect(parsed({ body: '{"a":1}', headers: JSON_TYPE }, either)).toEqual({ raw: '{"a":1}', value: undefined });
    expect(parsed({ body: '{"a":1}', headers: JSON_TYPE }, either, { sub: 'a-1', role: 'admin' })).toEqual({ raw: '{"a":1}', value: { a: 1 } });
  });
});
