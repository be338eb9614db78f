// Strict JSON: a request body whose object repeats a key is refused. `JSON.parse` keeps the last of
// two equal keys, so `{"amount":"1","amount":"100000"}` would mean something different to a proxy,
// a log reader or a signature checker that keeps the first: one text, one meaning. Pure.

/**
 * The path of the first object key that appears twice in the same object (keys compared after JSON
 * unescaping: `"a"` and `"\u0061"` are the same key), or undefined. `raw` must be valid JSON (parse
 * it first); the scan is iterative and linear in the length of the text.
 */
export function duplicateKeyPath(raw: string): string | undefined {
  interface Frame {
    object: boolean;
    keys: Set<string>;
    path: string;
    /** In an object: the next string is a key. */
    expectKey: boolean;
    index: number;
  }
  const stack: Frame[] = [];
  let pendingKey: string | undefined;
  const childPath = (f: Frame | undefined) => {
    if (!f) return '';
    const part = f.object ? (pendingKey ?? '') : String(f.index);
    return f.path ? `${f.path}.${part}` : part;
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"') {
      let j = i + 1;
      while (raw[j] !== '"') j += raw[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top?.object && top.expectKey) {
        const key = JSON.parse(raw.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return top.path ? `${top.path}.${key}` : key;
        top.keys.add(key);
        top.expectKey = false;
        pendingKey = key;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      const parent = stack[stack.length - 1];
      stack.push({ object: c === '{', keys: new Set(), path: childPath(parent), expectKey: c === '{', index: 0 });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.object) top.expectKey = true;
      else if (top) top.index++;
    }
  }
  return undefined;
}
