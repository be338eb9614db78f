// Fuzzing (fast-check) of every route that takes a body (POST, PUT, PATCH) and of every path parameter,
// sent by a caller the authorisation table allows, against real resources:
//   (a) arbitrary JSON values, (b) the route's valid body with one or more poisons — wrong types,
//   unknown and prototype-pollution keys, control characters, bodies over the size limit, numbers,
//   signs and exponents in amounts —, (c) raw junk (bad, truncated, BOM-prefixed, oversized, deeply
//   nested JSON, other content types), (d) junk path parameters.
// Every generated request is invalid, so the property is: the answer is a 4xx RFC 9457 problem
// document with a code of the catalog — never a 2xx, never a 5xx — and the ledger (control totals of
// the world's branches, its accounts' balance and version) and the domain records are unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { routes, routeKey, type RouteDef } from '../../infra/topology.ts';
import { authorisedCaller, callRoute, fillPath, problemViolation, request, REQUESTS, setupWorld, snapshot, type World } from './support.ts';

const SEED = Number(process.env.HPF_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ANYTHING_CASES = 6;
const POISON_CASES = 22;
const GENERATED_PATH_CASES = 3;
const CONCURRENCY = 4;
const LIMIT_BYTES = 300 * 1024; // over the 256 KB body limit

let w: World;
const figures = { cases: 0, routes: new Set<string>(), serverErrors: 0, pagedRoutes: 0, cursorCases: 0 };

beforeAll(async () => {
  w = await setupWorld();
}, 120_000);

afterAll(async () => {
  console.log(`fuzz: ${figures.cases} cases over ${figures.routes.size} routes, ${figures.serverErrors} server errors (seed ${SEED}; HPF_FUZZ_SEED repeats a run); forged and foreign cursors: ${figures.cursorCases} cases over ${figures.pagedRoutes} paged routes`);
  await w?.close();
});

// ------------------------------------------------------------------------------------ cases

interface Case {
  label: string;
  rawBody?: string;
  headers?: Record<string, string>;
  params?: Record<string, string>;
}

type Json = unknown;
type Leaf = { path: string[]; value: Json };

const isPlainObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every value of the body with its path (through objects and arrays), outermost first. */
function leaves(v: Json, path: string[] = []): Leaf[] {
  const inner = isPlainObject(v) ? Object.entries(v) : Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : [];
  return [...(path.length ? [{ path, value: v }] : []), ...inner.flatMap(([k, x]) => leaves(x, [...path, k]))];
}

/** Sets `path` in a copy of `body` (making containers where a junk value stands), as an own enumerable property even for `__proto__`. */
function setIn(body: Json, path: string[], value: Json): Json {
  const root: Record<string, Json> = isPlainObject(body) || Array.isArray(body) ? structuredClone(body as Record<string, Json>) : {};
  let at = root;
  for (const k of path.slice(0, -1)) {
    if (!isPlainObject(at[k]) && !Array.isArray(at[k])) at[k] = {};
    at = at[k] as Record<string, Json>;
  }
  Object.defineProperty(at, path[path.length - 1], { value, enumerable: true, writable: true, configurable: true });
  return root;
}

const jsonType = (v: Json) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

// api.md: money is a string in yuan with at most two decimals; numbers, exponents, signs, spaces,
// more decimals and zero (where money moves) are refused. Every request amount here moves money.
const MONEY_FIELDS = new Set(['amount', 'monthlyBase', 'housePrice', 'monthlyIncome', 'price', 'budget', 'outstandingAmount', 'ownerShareAmount']);
const BAD_AMOUNTS: Json[] = [100, 1500.5, -100, 1e21, '-100', '1e5', '1E5', '100.001', ' 100', '100 ', '+100', '0x10', '１００', 'Infinity', 'NaN', '', '0', '-0', '0.00', '1,000', '100.', '.5', '00100'];
// whole-percent ratios are also accepted as JSON integers ("12" or 12): no numbers for them
const RATE_FIELDS = new Set(['employerRate', 'employeeRate', 'rate']);
const CONTROL_CHARACTERS = ['\u0000', '\u0001', '\u0007', '\u0008', '\u000b', '\u000c', '\u001b', '\u007f'];
const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'hasOwnProperty', 'toString', 'valueOf', 'isAdmin', 'role', 'balanceFen', 'version'];

/** Values of another JSON type than `v` that no field of that type accepts. */
function wrongTypes(field: string, v: Json): Json[] {
  const pool: Json[] = [null, true, false, [], {}, [v], { value: v }, 'text', '', 0, -1, 1.5, 2 ** 53 + 1];
  return pool.filter((x) => {
    if (jsonType(x) === jsonType(v)) return false;
    if (typeof v === 'string' && typeof x === 'number') return !RATE_FIELDS.has(field);
    return true;
  });
}

type Poison = { label: string; apply: (body: Json) => Json };

/** Poisons for a route's valid body: each one alone makes the body invalid. */
function poisons(valid: Json): fc.Arbitrary<Poison> {
  const all = leaves(valid);
  const topKeys = isPlainObject(valid) ? Object.keys(valid) : [];
  const objects = [{ path: [] as string[], keys: topKeys }, ...all.filter((l) => isPlainObject(l.value)).map((l) => ({ path: l.path, keys: Object.keys(l.value as object) }))];
  const strings = all.filter((l) => typeof l.value === 'string');
  const amounts = all.filter((l) => MONEY_FIELDS.has(l.path[l.path.length - 1]));
  const where = (l: Leaf) => l.path.join('.');
  // every object of the bodies is strict: a key it does not declare is refused
  const unknownKey = fc
    .tuple(fc.constantFrom(...objects), fc.oneof(fc.constantFrom(...POLLUTION_KEYS), fc.string({ minLength: 1, maxLength: 24 })), fc.jsonValue({ maxDepth: 2 }))
    .filter(([o, key]) => !o.keys.includes(key))
    .map(([o, key, value]): Poison => ({ label: `unknown key ${JSON.stringify([...o.path, key].join('.'))}`, apply: (b) => setIn(b, [...o.path, key], value) }));
  // weights: the size limit masks every other check, so over-long strings come seldom
  const arbs: { arbitrary: fc.Arbitrary<Poison>; weight: number }[] = [{ arbitrary: unknownKey, weight: 3 }];
  if (all.length) {
    const typed = all.flatMap((l) => wrongTypes(l.path[l.path.length - 1], l.value).map((x) => ({ l, x })));
    arbs.push({ arbitrary: fc.constantFrom(...typed).map(({ l, x }): Poison => ({ label: `${where(l)} = ${JSON.stringify(x)}`, apply: (b) => setIn(b, l.path, x) })), weight: 3 });
  }
  if (amounts.length) {
    arbs.push({ arbitrary: fc.tuple(fc.constantFrom(...amounts), fc.constantFrom(...BAD_AMOUNTS)).map(([l, x]): Poison => ({ label: `amount ${where(l)} = ${JSON.stringify(x)}`, apply: (b) => setIn(b, l.path, x) })), weight: 3 });
  }
  if (strings.length) {
    const control = fc.tuple(fc.constantFrom(...strings), fc.constantFrom(...CONTROL_CHARACTERS), fc.nat()).map(([l, c, n]): Poison => {
      const s = l.value as string;
      const i = n % (s.length + 1);
      return { label: `control character U+${c.charCodeAt(0).toString(16).padStart(4, '0')} in ${where(l)}`, apply: (b) => setIn(b, l.path, s.slice(0, i) + c + s.slice(i)) };
    });
    const huge = fc.tuple(fc.constantFrom(...strings), fc.constantFrom('A', '公', '😀')).map(([l, ch]): Poison => ({ label: `${where(l)} = ${LIMIT_BYTES} bytes of ${ch}`, apply: (b) => setIn(b, l.path, ch.repeat(Math.ceil(LIMIT_BYTES / Buffer.byteLength(ch)))) }));
    arbs.push({ arbitrary: control, weight: 2 }, { arbitrary: huge, weight: 1 });
  } else {
    arbs.push({ arbitrary: fc.constantFrom(...CONTROL_CHARACTERS).map((c): Poison => ({ label: 'control character in a key', apply: () => ({ [`k${c}`]: 1 }) })), weight: 1 });
  }
  return fc.oneof(...arbs);
}

/** A junk value for a leaf, before the poisons (variety for the parser; the poisons keep it invalid). */
const filler = (valid: Json) => {
  const all = leaves(valid);
  return all.length ? fc.option(fc.tuple(fc.constantFrom(...all), fc.jsonValue({ maxDepth: 3 })), { nil: undefined }) : fc.constant(undefined);
};

function bodyCases(valid: Json, seed: number): Case[] {
  // (a) arbitrary values; objects get a key no route has, so that they stay invalid
  const anything = fc.sample(
    fc.oneof(fc.anything(), fc.jsonValue()).map((v) => (isPlainObject(v) ? { ...v, '~fuzz': 1 } : v)),
    { numRuns: ANYTHING_CASES, seed },
  ).map((v): Case => ({ label: 'arbitrary value', rawBody: JSON.stringify(v) ?? 'null' }));
  // (b) the valid body, maybe with a junk leaf, and one or two poisons
  const poisoned = fc.sample(fc.tuple(filler(valid), fc.array(poisons(valid), { minLength: 1, maxLength: 2 })), { numRuns: POISON_CASES, seed: seed + 1 }).map(([fill, ps]): Case => {
    const start = fill ? setIn(valid, fill[0].path, fill[1]) : (valid ?? {});
    const labels = [...(fill ? [`junk in ${fill[0].path.join('.')}`] : []), ...ps.map((p) => p.label)];
    return { label: labels.join(' + '), rawBody: JSON.stringify(ps.reduce((b, p) => p.apply(b), start)) };
  });
  return [...anything, ...poisoned];
}

/** (c) raw junk around the route's valid body. */
function rawCases(valid: Json, seed: number): Case[] {
  const text = JSON.stringify(valid ?? { a: 1 });
  const deep = 50_000;
  const truncations = fc.sample(fc.integer({ min: 1, max: text.length - 1 }), { numRuns: 3, seed: seed + 2 }).map((n): Case => ({ label: `truncated at ${n}`, rawBody: text.slice(0, n) }));
  const raws: [string, string, Record<string, string>?][] = [
    ['byte-order mark', `\uFEFF${text}`],
    ['trailing garbage', `${text}x`],
    ['single quotes', text.replace(/"/g, "'")],
    ['trailing comma', text.replace(/}$/, ',}')],
    ['bare keys', '{a:1}'],
    ['invalid escape', '{"a":"\\x41"}'],
    ['lone brace', '{'],
    ['nul', 'nul'],
    ['undefined', 'undefined'],
    ['NaN', 'NaN'],
    ['a NUL byte', '\u0000'],
    ['300 KB of letters', 'A'.repeat(LIMIT_BYTES)],
    ['300 KB of JSON', JSON.stringify({ ...(isPlainObject(valid) ? valid : {}), pad: 'A'.repeat(LIMIT_BYTES) })],
    [`arrays nested ${deep} deep`, `{"a":${'['.repeat(deep)}${']'.repeat(deep)}}`],
    [`objects nested ${deep / 2} deep`, `${'{"a":'.repeat(deep / 2)}1${'}'.repeat(deep / 2)}`],
    ['text/plain', text, { 'content-type': 'text/plain' }],
    ['form-encoded', 'a=1&b=2', { 'content-type': 'application/x-www-form-urlencoded' }],
  ];
  return [...truncations, ...raws.map(([label, rawBody, headers]): Case => ({ label, rawBody, headers }))];
}

/** (d) junk in each path parameter, the rest of the request valid. */
const PATH_JUNK = [
  '%00',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '%E0%A4%A', // malformed percent-encoding
  '%',
  'x'.repeat(3000),
  encodeURIComponent('账户😀'),
  encodeURIComponent("' OR '1'='1"),
  encodeURIComponent('<script>alert(1)</script>'),
  'ACC%23000000000000',
  '__proto__.',
  '%0d%0aX-Injected:%201',
  '$%7Bjndi:ldap%3A%2F%2Fx%7D',
];

function pathCases(params: Record<string, string>, seed: number): Case[] {
  const generated = fc.sample(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }).filter((s) => !/^[A-Za-z0-9_.~-]*$/.test(s)),
    { numRuns: GENERATED_PATH_CASES, seed: seed + 3 },
  ).map(encodeURIComponent);
  return Object.keys(params).flatMap((name) =>
    [...PATH_JUNK, ...generated].map((junk): Case => ({ label: `{${name}} = ${junk.slice(0, 60)}${junk.length > 60 ? `… (${junk.length} chars)` : ''}`, params: { ...params, [name]: junk } })),
  );
}

// ------------------------------------------------------------------------------------ running

async function inPool<T, R>(items: readonly T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

/** Sends the cases as the route's authorised caller; the failures, described for reproduction. */
async function run(r: RouteDef, cases: Case[]): Promise<string[]> {
  const caller = authorisedCaller(r);
  figures.routes.add(routeKey(r));
  const failures = await inPool(cases, CONCURRENCY, async (c) => {
    const res = await callRoute(w, r, caller, { params: c.params, rawBody: c.rawBody, headers: c.headers, idem: undefined });
    figures.cases++;
    if (res.status >= 500) figures.serverErrors++;
    const problem = res.status < 400 ? `answered ${res.status}` : res.status >= 500 ? 'server error' : problemViolation(res);
    if (!problem) return undefined;
    const sent = c.rawBody === undefined ? '' : ` body ${JSON.stringify(c.rawBody.slice(0, 160))}${c.rawBody.length > 160 ? `… (${c.rawBody.length} chars)` : ''}`;
    return `${c.label} → ${res.status} ${problem}: ${JSON.stringify(res.body).slice(0, 200)}\n      as ${caller}: ${r.method} ${r.path}${sent}`;
  });
  return failures.filter((f): f is string => f !== undefined);
}

/** Runs the cases and checks that none was answered otherwise than refused, and nothing changed. */
async function fuzz(r: RouteDef, cases: Case[]) {
  const before = await snapshot(w);
  const failures = await run(r, cases);
  const after = await snapshot(w);
  expect.soft(failures, `${routeKey(r)} (seed ${SEED}): ${failures.length} of ${cases.length} cases\n  ${failures.slice(0, 12).join('\n  ')}`).toEqual([]);
  expect.soft(after, `${routeKey(r)}: the state changed`).toEqual(before);
}

/** Each route its own cases: the run's seed moved by the route's place in the topology. */
const seedOf = (r: RouteDef) => SEED + 8 * routes.indexOf(r);

describe('fuzzing the bodies of every POST, PUT and PATCH route', () => {
  for (const r of routes.filter((x) => ['POST', 'PUT', 'PATCH'].includes(x.method))) {
    it(routeKey(r), async () => {
      const valid = REQUESTS[routeKey(r)](w, authorisedCaller(r));
      await fuzz(r, [...bodyCases(valid.body, seedOf(r)), ...rawCases(valid.body, seedOf(r)), ...pathCases(valid.params, seedOf(r))]);
    });
  }
});

describe('fuzzing the path parameters of the other routes', () => {
  for (const r of routes.filter((x) => !['POST', 'PUT', 'PATCH'].includes(x.method) && x.path.includes('{'))) {
    it(routeKey(r), async () => {
      await fuzz(r, pathCases(REQUESTS[routeKey(r)](w, authorisedCaller(r)).params, seedOf(r)));
    });
  }
});

describe('forged and foreign list cursors on every paged GET route', () => {
  it('cursor=e30 and a cursor taken from another list: 400 VALIDATION_FAILED, never a 5xx', async () => {
    // the paged routes are found, not listed: every topology GET whose answer (limit=1) is a page
    const paged: { key: string; caller: ReturnType<typeof authorisedCaller>; url: (extra: string) => string }[] = [];
    const cursors = new Map<string, string>();
    for (const r of routes.filter((x) => x.method === 'GET')) {
      const caller = authorisedCaller(r);
      const req = REQUESTS[routeKey(r)](w, caller);
      const url = (extra: string) => `${fillPath(r.path, req.params)}?${[req.query, extra].filter(Boolean).join('&')}`;
      const res = await request(w, caller, 'GET', url('limit=1'));
      if (res.status !== 200 || !res.body || typeof res.body !== 'object' || !('nextCursor' in res.body)) continue;
      paged.push({ key: routeKey(r), caller, url });
      if (typeof res.body.nextCursor === 'string') cursors.set(routeKey(r), res.body.nextCursor);
    }
    figures.pagedRoutes = paged.length;
    // the lists api.md pages, at least: a statement, a unit's employees, an account's withdrawals, the review queue, findings, partners' requests
    for (const key of ['GET /v1/accounts/{accountNo}/entries', 'GET /v1/units/{unitId}/employees', 'GET /v1/accounts/{accountNo}/withdrawals', 'GET /v1/withdrawals', 'GET /v1/supervision/findings', 'GET /v1/interprovincial/requests'])
      expect.soft(paged.map((p) => p.key), `${key} answers a page`).toContain(key);
    expect(cursors.size, 'real cursors to borrow (the statement of the employee has several entries)').toBeGreaterThan(0);

    const failures: string[] = [];
    for (const p of paged) {
      const foreign = [...cursors].filter(([from]) => from !== p.key);
      for (const [label, cursor] of [['forged e30', 'e30'] as const, ...foreign.map(([from, c]) => [`a cursor of ${from}`, c] as const)]) {
        const res = await request(w, p.caller, 'GET', p.url(`limit=1&cursor=${encodeURIComponent(cursor)}`));
        figures.cursorCases++;
        if (res.status >= 500) figures.serverErrors++;
        const violation = res.status !== 400 ? `answered ${res.status}` : (problemViolation(res) ?? (res.body.code !== 'VALIDATION_FAILED' ? `code ${res.body.code}` : undefined));
        if (violation) failures.push(`${p.key} with ${label}: ${violation} ${JSON.stringify(res.body).slice(0, 200)}`);
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});
