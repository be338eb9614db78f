// What the request carries, read as strictly as every route reads it: path parameters are bounded
// identifiers, the body at most MAX_BODY_BYTES, and its JSON (content type, UTF-8, no forbidden
// character, no duplicate key, bounded depth). A signed route's body is only bounded here: its
// handler verifies the signature over the raw bytes before anything reads them.
import { DomainError } from '../errors.ts';
import { duplicateKeyPath } from '../json.ts';
import { forbiddenCharacterIn } from '../text.ts';
import { isSigned } from './authenticate.ts';
import { specOf, type HttpEvent, type HttpMiddleware } from './types.ts';

export const MAX_BODY_BYTES = 256 * 1024;

/** No request body of this API nests deeper; deeper is refused before anything walks it. */
export const MAX_JSON_DEPTH = 32;

/**
 * Path parameters are identifiers: bounded, printable, and never a dot segment (`.`, `..`), which
 * API Gateway passes on as a value and a file-system-minded proxy would resolve.
 */
export const MAX_PATH_PARAM = 128;

export function checkPathParameters(params: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value.length === 0 || value.length > MAX_PATH_PARAM || forbiddenCharacterIn(value) || /[\u0000-\u0020\u007f/\\]/.test(value) || value === '.' || value === '..') {
      throw new DomainError('VALIDATION_FAILED', `Invalid path parameter ${name} / 路径参数无效`, [{ path: `path.${name}`, message: `1–${MAX_PATH_PARAM} printable characters, not . or ..` }]);
    }
  }
}

/** The body as text (base64 decoded), refused above MAX_BODY_BYTES. */
export function rawBodyOf(event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>): string {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  if (Buffer.byteLength(raw) > MAX_BODY_BYTES) throw new DomainError('VALIDATION_FAILED', `Request body larger than ${MAX_BODY_BYTES} bytes / 请求体过大`);
  return raw;
}

/**
 * A request body's JSON, as strictly as every route reads it (content type, UTF-8, no forbidden
 * character, no duplicate key, bounded depth); undefined for an empty body. Signed routes call it
 * themselves once the signature over the raw bytes was verified: a bad signature is a 401 whatever
 * the body holds.
 */
export function parseJsonText(raw: string, contentType: string): unknown {
  if (raw.trim() === '') return undefined;
  const type = contentType.toLowerCase();
  if (!/^application\/(problem\+)?json\b/.test(type)) throw new DomainError('VALIDATION_FAILED', 'Content-Type must be application/json / 请求须为 JSON', [{ path: 'content-type', message: 'expected application/json' }]);
  // JSON is UTF-8 (RFC 8259): a body declared in another charset would be read as what it is not
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)"?/.exec(type)?.[1];
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') throw new DomainError('VALIDATION_FAILED', 'JSON bodies must be UTF-8 / 请求体须为 UTF-8 编码', [{ path: 'content-type', message: `charset ${charset} is not accepted; use utf-8` }]);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new DomainError('VALIDATION_FAILED', 'Malformed JSON body / JSON 格式错误', [{ path: '', message: 'malformed JSON' }]);
  }
  const bad = forbiddenCharacterPath(value);
  if (bad !== undefined) throw new DomainError('VALIDATION_FAILED', 'Control, direction-override and unpaired surrogate characters are not allowed in text / 文本中不得含控制字符、方向控制符或无效字符', [{ path: bad, message: 'character not allowed' }]);
  const duplicate = duplicateKeyPath(raw);
  if (duplicate !== undefined) throw new DomainError('VALIDATION_FAILED', 'A JSON object names the same field twice / JSON 字段重复', [{ path: duplicate, message: 'duplicate key' }]);
  return value;
}

/** The path of the first string (key or value) holding a character no text may hold (iterative). */
function forbiddenCharacterPath(root: unknown): string | undefined {
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: root, path: '', depth: 0 }];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (forbiddenCharacterIn(v)) return path;
    } else if (v && typeof v === 'object') {
      if (depth >= MAX_JSON_DEPTH) throw new DomainError('VALIDATION_FAILED', `JSON nested deeper than ${MAX_JSON_DEPTH} levels / JSON 嵌套过深`, [{ path, message: 'too deep' }]);
      for (const [k, x] of Object.entries(v)) {
        if (forbiddenCharacterIn(k)) return path;
        stack.push({ v: x, path: path ? `${path}.${k}` : k, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/** `{}`: what most clients send on a bodiless POST (a route without a body accepts it). */
export const isEmptyObject = (v: unknown) => !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0;

export function parse(): HttpMiddleware {
  return {
    before: ({ event, context }) => {
      const state = context.http;
      checkPathParameters(event.pathParameters ?? {});
      state.raw = rawBodyOf(event);
      state.value = isSigned(specOf(state), state.caller) ? undefined : parseJsonText(state.raw, event.headers?.['content-type'] ?? event.headers?.['Content-Type'] ?? '');
    },
  };
}
