// Fuzzing (fast-check) of every route that takes a body (POST, PUT, PATCH) and of every path parameter,
// sent by a caller the authorisation table allows, against real resources:
//   (a) arbitrary JSON values, (b) the route's valid body with one or more poisons — wrong types,
//   unknown and prototype-pollution keys, control characters, bodies over the size limit, numbers,
//   signs and exponents in amounts —, (c) raw junk (bad, truncated, BOM-prefixed, oversized, deeply
//   nested JSON, other content types), (d) junk path parameters.
// Every generated request is invalid, so the property is: the answer is a 4xx RFC 9457 problem
// document with a code of the catalog — never a 2xx, never a 5xx — and the ledger (control totals of
// the world's branches, its accounts' balance and version) and the domain records are unchanged.
//   (e) issue 14: invisible and look-alike characters (U+200B, U+200C, U+200D, U+2060, U+00AD,
//   U+202E, U+0085, a lone surrogate, Cyrillic А О Р С Е) in every document-number, bank-account,
//   name and free-text field of every route (the withdrawal evidence of each reason, the partner's
//   requests, bank references, a freeze's document number…), and the boundary values 9999999999999.99,
//   999999999.99, 1990-01-01, 9999-12-01, 1990-01 and 2100-12 in every money, date and period field:
//   never a 5xx; an invisible or look-alike character in a document number is never a 2xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { routes, routeKey, type RouteDef } from '../../infra/topology.ts';
import { authorisedCaller, callRoute, fillPath, problemViolation, request, REQUESTS, setupWorld, snapshot, type World } from './support.ts';
import { randomResidentId } from '../support/fixtures.ts';
import { businessDate } from '../../shared/clock.ts';
import type { Res } from '../support/http.ts';

const SEED = Number(process.env.HPF_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const ANYTHING_CASES = 6;
const POISON_CASES = 22;
const GENERATED_PATH_CASES = 3;
const CONCURRENCY = 4;
const LIMIT_BYTES = 300 * 1024; // over the 256 KB body limit

let w: World;
const figures = { cases: 0, routes: new Set<string>(), serverErrors: 0, pagedRoutes: 0, cursorCases: 0, fieldCases: 0, fields: 0, statuses: new Map<number, number>() };
/** Every answer of this file, counted by status (the histogram the README's reliability section quotes). */
const count = (res: Res) => {
  figures.statuses.set(res.status, (figures.statuses.get(res.status) ?? 0) + 1);
  if (res.status >= 500) figures.serverErrors++;
};

beforeAll(async () => {
  w = await setupWorld();
}, 120_000);

afterAll(async () => {
  const requests = [...figures.statuses.values()].reduce((a, b) => a + b, 0);
  const histogram = [...figures.statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`).join(', ');
  console.log(
    `fuzz: ${requests} requests, ${figures.serverErrors} server errors (seed ${SEED}; HPF_FUZZ_SEED repeats a run)\n` +
      `  generated cases: ${figures.cases} over ${figures.routes.size} routes; forged and foreign cursors: ${figures.cursorCases} cases over ${figures.pagedRoutes} paged routes; ` +
      `invisible/look-alike characters and boundary values: ${figures.fieldCases} cases over ${figures.fields} fields\n` +
      `  statuses: ${histogram}`,
  );
  await w?.close();
  await fw?.close();
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
    count(res);
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
      count(res);
      if (res.status !== 200 || !res.body || typeof res.body !== 'object' || !('nextCursor' in res.body)) continue;
      paged.push({ key: routeKey(r), caller, url });
      if (typeof res.body.nextCursor === 'string') cursors.set(routeKey(r), res.body.nextCursor);
    }
    figures.pagedRoutes = paged.length;
    // the lists api.md pages, at least: a statement, a unit's employees, an account's withdrawals, the review queue, findings, partners' requests;
    // and the console's additions: the loan review queue, a unit's remittance lists
    for (const key of ['GET /v1/accounts/{accountNo}/entries', 'GET /v1/units/{unitId}/employees', 'GET /v1/accounts/{accountNo}/withdrawals', 'GET /v1/withdrawals', 'GET /v1/supervision/findings', 'GET /v1/interprovincial/requests', 'GET /v1/loans', 'GET /v1/units/{unitId}/remittances'])
      expect.soft(paged.map((p) => p.key), `${key} answers a page`).toContain(key);
    expect(cursors.size, 'real cursors to borrow (the statement of the employee has several entries)').toBeGreaterThan(0);

    const failures: string[] = [];
    for (const p of paged) {
      const foreign = [...cursors].filter(([from]) => from !== p.key);
      for (const [label, cursor] of [['forged e30', 'e30'] as const, ...foreign.map(([from, c]) => [`a cursor of ${from}`, c] as const)]) {
        const res = await request(w, p.caller, 'GET', p.url(`limit=1&cursor=${encodeURIComponent(cursor)}`));
        figures.cursorCases++;
        count(res);
        const violation = res.status !== 400 ? `answered ${res.status}` : (problemViolation(res) ?? (res.body.code !== 'VALIDATION_FAILED' ? `code ${res.body.code}` : undefined));
        if (violation) failures.push(`${p.key} with ${label}: ${violation} ${JSON.stringify(res.body).slice(0, 200)}`);
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});

// ------------------------------------------------------------------------------------ (e) fields

/** What a field holds, which decides what a poisoned value must get. */
type Kind = 'document' | 'bankAccount' | 'name' | 'text' | 'money' | 'eventDate' | 'date' | 'period';
interface FieldCase {
  route: string;
  label: string;
  /** The valid body (from the route's valid request) with this variant's changes. */
  body: (valid: Json, w: World) => Json;
  fields: [path: string, kind: Kind][];
}

const INVISIBLE = { 'U+200B': '\u200b', 'U+200C': '\u200c', 'U+200D': '\u200d', 'U+2060': '\u2060', 'U+00AD': '\u00ad', 'U+202E': '\u202e', 'U+0085': '\u0085', 'lone surrogate U+D800': '\ud800' };
const LOOK_ALIKES = { 'Cyrillic А': '\u0410', 'Cyrillic О': '\u041e', 'Cyrillic Р': '\u0420', 'Cyrillic С': '\u0421', 'Cyrillic Е': '\u0415' };
const OVER_MAX = '9999999999999.99';
const UNDER_MAX = '999999999.99';
const BOUNDARY: Record<'money' | 'date' | 'period', string[]> = { money: [OVER_MAX, UNDER_MAX], date: ['1990-01-01', '9999-12-01'], period: ['1990-01', '2100-12'] };

const same = (valid: Json) => valid;
const withBody = (over: Record<string, Json>) => (valid: Json) => ({ ...(valid as Record<string, Json>), ...over });
const PAYEE = '6222020200112233';
const withdrawal = (reason: string, evidence: Record<string, Json>, extra: Record<string, Json> = {}) => (_v: Json, w: World) => ({ accountNo: w.employee.accountNo, reason, amount: '100', payeeBankAccount: PAYEE, evidence, ...extra });
const partnerRequest = (type: string, payload: Record<string, Json>) => (valid: Json, w: World) => ({ ...(valid as Record<string, Json>), type, payload: { idNumber: w.employee.idNumber, name: w.employee.name, ...payload } });
const today = businessDate();

/** Every document-number, bank-account, name, text, money, date and period field of the API's bodies. */
const FIELD_CASES: FieldCase[] = [
  { route: 'POST /v1/loans/{loanId}/disbursement-payments', label: 'disbursement re-payment', body: same, fields: [['payee.name', 'text'], ['payee.bankAccount', 'bankAccount']] },
  { route: 'POST /v1/documents', label: 'document', body: same, fields: [['fileName', 'text']] },
  { route: 'POST /v1/units', label: 'unit', body: withBody({ startPeriod: '2025-01' }), fields: [['name', 'text'], ['startPeriod', 'period']] },
  { route: 'POST /v1/units/{unitId}/employees', label: 'hire', body: same, fields: [['name', 'name'], ['monthlyBase', 'money']] },
  { route: 'POST /v1/units/{unitId}/base-adjustments', label: 'base adjustment', body: same, fields: [['items.0.monthlyBase', 'money']] },
  { route: 'POST /v1/units/{unitId}/deferrals', label: 'unit deferral', body: same, fields: [['fromPeriod', 'period'], ['toPeriod', 'period'], ['reason', 'text']] },
  { route: 'POST /v1/units/{unitId}/remittances', label: 'remittance', body: same, fields: [['period', 'period']] },
  { route: 'POST /v1/remittances/{remittanceId}/settlements', label: 'settlement', body: same, fields: [['bankRef', 'document'], ['amount', 'money']] },
  { route: 'POST /v1/flexible-accounts', label: 'flexible account', body: same, fields: [['name', 'name'], ['monthlyBase', 'money']] },
  { route: 'POST /v1/accounts/{accountNo}/deposits', label: 'deposit', body: same, fields: [['bankRef', 'document'], ['amount', 'money'], ['period', 'period']] },
  { route: 'POST /v1/accounts/{accountNo}/freeze', label: 'freeze', body: same, fields: [['documentNo', 'document'], ['reason', 'text'], ['authority', 'text']] },
  { route: 'POST /v1/accounts/{accountNo}/unfreeze', label: 'unfreeze', body: same, fields: [['note', 'text']] },

  { route: 'POST /v1/withdrawals', label: 'PURCHASE', body: withdrawal('PURCHASE', { contractNo: 'HT-2026-001', propertyCertificateNo: 'ZJ-FC-0001', price: '1000000', purchaseDate: today }), fields: [['payeeBankAccount', 'bankAccount'], ['amount', 'money'], ['evidence.contractNo', 'document'], ['evidence.propertyCertificateNo', 'document'], ['evidence.price', 'money'], ['evidence.purchaseDate', 'eventDate']] },
  { route: 'POST /v1/withdrawals', label: 'OFFSITE_PURCHASE', body: withdrawal('OFFSITE_PURCHASE', { contractNo: 'HT-2026-002', propertyCertificateNo: 'SH-FC-0002', price: '800000', purchaseDate: today, city: '上海' }), fields: [['evidence.contractNo', 'document'], ['evidence.propertyCertificateNo', 'document'], ['evidence.price', 'money'], ['evidence.purchaseDate', 'eventDate'], ['evidence.city', 'text']] },
  { route: 'POST /v1/withdrawals', label: 'BUILD_REPAIR', body: withdrawal('BUILD_REPAIR', { permitNo: 'JZ-2026-0003', budget: '200000' }), fields: [['evidence.permitNo', 'document'], ['evidence.budget', 'money']] },
  { route: 'POST /v1/withdrawals', label: 'RETIREMENT', body: withdrawal('RETIREMENT', { retirementDate: '2055-03-15' }, { amount: undefined, full: true }), fields: [['evidence.retirementDate', 'date']] },
  { route: 'POST /v1/withdrawals', label: 'INCAPACITY', body: withdrawal('INCAPACITY', { certificateNo: 'SS-2026-0004' }), fields: [['evidence.certificateNo', 'document']] },
  { route: 'POST /v1/withdrawals', label: 'EMIGRATION', body: withdrawal('EMIGRATION', { certificateNo: 'CJ-2026-0005' }), fields: [['evidence.certificateNo', 'document']] },
  { route: 'POST /v1/withdrawals', label: 'DEATH', body: withdrawal('DEATH', { heirIdNumber: randomResidentId('1970-01-01'), heirName: '继承人', deathCertificateNo: 'SW-2026-0006' }), fields: [['evidence.heirName', 'name'], ['evidence.deathCertificateNo', 'document']] },
  { route: 'POST /v1/withdrawals', label: 'HPF_LOAN_REPAYMENT (another center)', body: withdrawal('HPF_LOAN_REPAYMENT', { centerCode: 'SH0001', loanContractNo: 'GJJ-DK-2020-0007' }), fields: [['evidence.loanContractNo', 'document'], ['payeeBankAccount', 'bankAccount']] },
  { route: 'POST /v1/withdrawals', label: 'COMMERCIAL_LOAN_REPAYMENT', body: withdrawal('COMMERCIAL_LOAN_REPAYMENT', { bankName: '中国工商银行', loanContractNo: 'ICBC-2019-0008', outstandingAmount: '300000' }), fields: [['evidence.bankName', 'text'], ['evidence.loanContractNo', 'document'], ['evidence.outstandingAmount', 'money']] },
  { route: 'POST /v1/withdrawals', label: 'RENT (public rental)', body: withdrawal('RENT', { housingKind: 'PUBLIC_RENTAL', leaseContractNo: 'GZ-2026-0009', rentReceiptNo: 'FP-2026-0010' }), fields: [['evidence.leaseContractNo', 'document'], ['evidence.rentReceiptNo', 'document']] },
  { route: 'POST /v1/withdrawals', label: 'RENT (commercial)', body: withdrawal('RENT', { housingKind: 'COMMERCIAL', noHouseCertificateNo: 'WF-2026-0011', spouseNoHouseCertificateNo: 'WF-2026-0012' }), fields: [['evidence.noHouseCertificateNo', 'document'], ['evidence.spouseNoHouseCertificateNo', 'document']] },
  { route: 'POST /v1/withdrawals', label: 'ELEVATOR_RETROFIT', body: withdrawal('ELEVATOR_RETROFIT', { projectFilingNo: 'DT-2026-0013', ownerShareAmount: '30000' }), fields: [['evidence.projectFilingNo', 'document'], ['evidence.ownerShareAmount', 'money']] },
  { route: 'POST /v1/withdrawals/{withdrawalId}/approve', label: 'approval', body: same, fields: [['note', 'text']] },
  { route: 'POST /v1/withdrawals/{withdrawalId}/reject', label: 'rejection', body: same, fields: [['note', 'text']] },

  { route: 'POST /v1/loan-quotes', label: 'quote', body: same, fields: [['housePrice', 'money'], ['monthlyIncome', 'money']] },
  { route: 'POST /v1/loans', label: 'application', body: same, fields: [['housePrice', 'money'], ['monthlyIncome', 'money'], ['amount', 'money']] },
  { route: 'POST /v1/loans/{loanId}/approve', label: 'loan approval', body: same, fields: [['note', 'text']] },
  { route: 'POST /v1/loans/{loanId}/reject', label: 'loan rejection', body: same, fields: [['note', 'text']] },
  { route: 'POST /v1/loans/{loanId}/disburse', label: 'disbursement', body: same, fields: [['disbursedOn', 'eventDate'], ['payee.name', 'text'], ['payee.bankAccount', 'bankAccount']] },
  { route: 'POST /v1/loans/{loanId}/repayments', label: 'bank repayment', body: same, fields: [['bankRef', 'document'], ['amount', 'money'], ['paidOn', 'eventDate']] },
  { route: 'POST /v1/loans/{loanId}/prepayments', label: 'prepayment', body: same, fields: [['amount', 'money']] },
  { route: 'POST /v1/loans/{loanId}/deferrals', label: 'loan deferral', body: same, fields: [['fromPeriod', 'period'], ['toPeriod', 'period'], ['reason', 'text']] },

  { route: 'POST /v1/supervision/findings/{findingId}/resolve', label: 'resolution', body: same, fields: [['note', 'text']] },
  { route: 'POST /v1/ratings', label: 'rating', body: same, fields: [['comment', 'text']] },

  { route: 'PUT /v1/interprovincial/partners/{centerCode}', label: 'partner', body: same, fields: [['name', 'text'], ['settlementAccount', 'bankAccount']] },
  { route: 'POST /v1/interprovincial/requests', label: 'BALANCE_INQUIRY', body: same, fields: [['payload.name', 'name']] },
  { route: 'POST /v1/interprovincial/requests', label: 'PURCHASE_WITHDRAWAL', body: partnerRequest('PURCHASE_WITHDRAWAL', { amount: '100', contractNo: 'SH-HT-2026-0014', propertyCertificateNo: 'SH-FC-2026-0015', price: '900000', purchaseDate: today, city: '上海' }), fields: [['payload.name', 'name'], ['payload.amount', 'money'], ['payload.contractNo', 'document'], ['payload.propertyCertificateNo', 'document'], ['payload.price', 'money'], ['payload.purchaseDate', 'date'], ['payload.city', 'text']] },
  { route: 'POST /v1/interprovincial/requests', label: 'RETIREMENT_WITHDRAWAL', body: partnerRequest('RETIREMENT_WITHDRAWAL', { retirementDate: '2055-03-15' }), fields: [['payload.retirementDate', 'date']] },
  { route: 'POST /v1/interprovincial/requests', label: 'FULL_PREPAYMENT', body: partnerRequest('FULL_PREPAYMENT', { loanContractNo: 'SH-DK-2020-0016' }), fields: [['payload.loanContractNo', 'document']] },
  { route: 'POST /v1/interprovincial/transfer-requests', label: 'transfer request', body: same, fields: [['name', 'name']] },
  { route: 'POST /v1/interprovincial/callbacks', label: 'callback', body: same, fields: [['rejection.message', 'text']] },
];

const getIn = (body: Json, path: string[]): Json => path.reduce<Json>((at, k) => (at as Record<string, Json>)?.[k], body);
const insertMiddle = (s: string, ch: string) => s.slice(0, Math.floor(s.length / 2)) + ch + s.slice(Math.floor(s.length / 2));

interface Poisoned {
  label: string;
  value: string;
  /** Must be refused (4xx): never a 2xx. */
  refuse: boolean;
}

/** The poisoned values of a field of `kind` whose valid value is `valid`. */
function poisonsOf(kind: Kind, valid: string): Poisoned[] {
  const chars = (set: Record<string, string>, refuse: boolean) => Object.entries(set).map(([name, ch]) => ({ label: `${name} inside`, value: insertMiddle(valid, ch), refuse }));
  switch (kind) {
    case 'document':
    case 'bankAccount':
      // a document number's alphabet has no invisible character and no Cyrillic letter: refused, never stripped
      return [...chars(INVISIBLE, true), ...chars(LOOK_ALIKES, true), ...Object.entries(INVISIBLE).map(([name, ch]) => ({ label: `${name} at the end`, value: valid + ch, refuse: true }))];
    case 'name':
    case 'text':
      // invisible characters are never printable text; a Cyrillic letter is a letter (allowed, never a 5xx)
      return [...chars(INVISIBLE, true), ...chars(LOOK_ALIKES, false), ...Object.entries(INVISIBLE).map(([name, ch]) => ({ label: `only ${name}`, value: ch, refuse: true }))];
    case 'money':
      return [
        { label: 'beyond the maximum', value: OVER_MAX, refuse: true },
        { label: 'just under the maximum', value: UNDER_MAX, refuse: false },
      ];
    case 'eventDate':
      return BOUNDARY.date.map((value) => ({ label: value, value, refuse: true }));
    case 'date':
      return BOUNDARY.date.map((value) => ({ label: value, value, refuse: value === '9999-12-01' }));
    case 'period':
      return BOUNDARY.period.map((value) => ({ label: value, value, refuse: false }));
  }
}

let fw: World;

describe('invisible and look-alike characters and boundary values in every document-number, name, money and date field (issue 14)', () => {
  beforeAll(async () => {
    // a world of its own: a boundary value may be accepted (a hire with a Cyrillic name, a deposit of
    // 999999999.99) and change the state the other fuzz cases compare
    fw = await setupWorld();
  }, 120_000);

  for (const fc_ of FIELD_CASES) {
    it(`${fc_.route} (${fc_.label}): ${fc_.fields.map(([p]) => p).join(', ')}`, async () => {
      const r = routes.find((x) => routeKey(x) === fc_.route);
      expect(r, `${fc_.route} is a route of the topology`).toBeDefined();
      const caller = authorisedCaller(r!);
      const failures: string[] = [];
      const cases = fc_.fields.flatMap(([path, kind]) => {
        figures.fields++;
        const parts = path.split('.');
        const sample = REQUESTS[fc_.route](fw, caller);
        const valid = getIn(fc_.body(JSON.parse(JSON.stringify(sample.body ?? {})), fw), parts);
        expect(typeof valid, `${fc_.route} ${fc_.label}: ${path} holds a string in the valid body`).toBe('string');
        return poisonsOf(kind, valid as string).map((p) => ({ path, parts, kind, p }));
      });
      await inPool(cases, CONCURRENCY, async ({ path, parts, kind, p }) => {
        const req = REQUESTS[fc_.route](fw, caller); // fresh ids (request ids, bank references) per case
        const body = setIn(fc_.body(JSON.parse(JSON.stringify(req.body ?? {})), fw), parts, p.value);
        const url = fillPath(r!.path, req.params) + (req.query ? `?${req.query}` : '');
        const res = await request(fw, caller, r!.method, url, { body, idem: req.idem });
        figures.fieldCases++;
        count(res);
        const violation = res.status >= 500 ? 'server error' : res.status >= 400 ? problemViolation(res) : p.refuse ? `answered ${res.status}` : undefined;
        if (violation) failures.push(`${path} (${kind}) ${p.label} ${JSON.stringify(p.value)} → ${res.status} ${violation}: ${JSON.stringify(res.body).slice(0, 200)}`);
      });
      expect(failures, `${fc_.route} (${fc_.label}), as ${caller}: ${failures.length} of ${cases.length} cases\n  ${failures.join('\n  ')}`).toEqual([]);
    });
  }

  it('covers every document-number field of the bodies listed in the brief', () => {
    const covered = new Set(FIELD_CASES.flatMap((c) => c.fields.filter(([, k]) => k === 'document').map(([p]) => `${c.route} ${p}`)));
    for (const key of [
      'POST /v1/loans/{loanId}/repayments bankRef',
      'POST /v1/remittances/{remittanceId}/settlements bankRef',
      'POST /v1/accounts/{accountNo}/deposits bankRef',
      'POST /v1/accounts/{accountNo}/freeze documentNo',
      'POST /v1/withdrawals evidence.propertyCertificateNo',
      'POST /v1/interprovincial/requests payload.propertyCertificateNo',
      'POST /v1/interprovincial/requests payload.contractNo',
    ])
      expect(covered).toContain(key);
  });
});
