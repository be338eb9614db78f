// The shape of the code (issue 19), checked on the source: every .ts file under functions/ and
// shared/ is parsed with the TypeScript compiler and its imports (import/export … from, import(),
// `typeof import(…)`) are resolved to files of the tree.
//
// - a file of domain X imports of domain Y only functions/Y/public.ts;
// - the kernel (shared/) imports nothing of functions/ and names no domain in its code: no string
//   literal names one of infra/topology.ts `Domain` (a comment may cite one as an example);
// - a domain's domain/ is pure: its own domain/ files, the kernel's pure modules and other domains'
//   public.ts types; no zod, no AWS SDK, no kernel module that reaches I/O or zod (ddb, sqs, s3, tx,
//   secrets, schemas …: found by following the kernel's own run-time imports), not its store, schemas
//   or use cases (not even their types);
// - every domain has the same rooms: at its top level only the entry points (http.ts, queue.ts,
//   schedule.ts), public.ts, schemas.ts, store.ts and the folders domain/ and usecases/; public.ts,
//   schemas.ts, store.ts, domain/ and usecases/ always; no file in a room takes a top-level name
//   (amortization.ts, not a second schedule.ts) or a name that says nothing (common.ts, utils.ts);
// - only store.ts (and the kernel) talks to DynamoDB;
// - no clock in a domain: no `new Date(…)` and no `Date.now()` in functions/ (shared/clock.ts or the
//   caller gives the time).
// Each rule is a function of the parsed files; the last test plants a file of each fault and sees it caught.
import { describe, expect, it } from 'vitest';
import ts from 'typescript';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const rel = (abs: string) => relative(ROOT, abs).split(sep).join('/');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

interface Import {
  /** The specifier as written. */
  spec: string;
  /** The repository path it resolves to (relative specifiers only). */
  target?: string;
  /** Erased at compile time (import type, only type bindings, `typeof import(…)`). */
  typeOnly: boolean;
  line: number;
}

interface Parsed {
  path: string;
  source: ts.SourceFile;
  imports: Import[];
}

function parse(path: string, text: string): Parsed {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const imports: Import[] = [];
  const add = (specNode: ts.Node | undefined, typeOnly: boolean) => {
    if (!specNode || !ts.isStringLiteralLike(specNode)) return;
    const spec = specNode.text;
    const target = spec.startsWith('.') ? rel(resolve(dirname(join(ROOT, path)), spec)) : undefined;
    imports.push({ spec, target, typeOnly, line: source.getLineAndCharacterOfPosition(specNode.getStart()).line + 1 });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const onlyTypes = !!clause && (clause.isTypeOnly || (!clause.name && !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, onlyTypes);
    } else if (ts.isExportDeclaration(node)) {
      const clause = node.exportClause;
      add(node.moduleSpecifier, node.isTypeOnly || (!!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly)));
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { path, source, imports };
}

/** Every node of a file that satisfies `test`, with its line. */
function find(p: Parsed, test: (n: ts.Node) => boolean): { line: number; text: string }[] {
  const hits: { line: number; text: string }[] = [];
  const visit = (node: ts.Node) => {
    if (test(node)) hits.push({ line: p.source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: node.getText().slice(0, 100) });
    ts.forEachChild(node, visit);
  };
  visit(p.source);
  return hits;
}

/** The domains of infra/topology.ts (`export type Domain = 'a' | 'b' …`). */
function topologyDomains(): string[] {
  const source = ts.createSourceFile('topology.ts', readFileSync(join(ROOT, 'infra/topology.ts'), 'utf8'), ts.ScriptTarget.Latest, true);
  const alias = source.statements.find((s): s is ts.TypeAliasDeclaration => ts.isTypeAliasDeclaration(s) && s.name.text === 'Domain');
  if (!alias || !ts.isUnionTypeNode(alias.type)) throw new Error('infra/topology.ts declares no Domain union');
  return alias.type.types.map((t) => {
    if (!ts.isLiteralTypeNode(t) || !ts.isStringLiteral(t.literal)) throw new Error(`Domain member ${t.getText()} is not a string literal`);
    return t.literal.text;
  });
}

const DOMAINS = topologyDomains();
const domainOf = (path: string) => (path.startsWith('functions/') ? path.split('/')[1] : undefined);
const where = (p: Parsed, i: { line: number }) => `${p.path}:${i.line}`;

/** Packages that do I/O or are the zod edge: a module importing one at run time is not pure. */
const IMPURE_PACKAGES = [/^zod(\/|$)/, /^@aws-sdk\//, /^@middy\//, /^@aws-lambda-powertools\//, /^jose$/, /^node:(fs|http|https|net|child_process|dgram|dns|tls)(\/|$)/];
/** The packages a domain/ file may import directly (pure computation). */
const PURE_PACKAGES = [/^decimal\.js$/, /^node:crypto$/];

/** Why a kernel module is not pure (it reaches I/O or zod through its run-time imports), or null. */
function impurity(files: readonly Parsed[]): (path: string) => string | null {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const memo = new Map<string, string | null>();
  const why = (path: string, seen: Set<string>): string | null => {
    if (memo.has(path)) return memo.get(path)!;
    if (seen.has(path)) return null;
    seen.add(path);
    let reason: string | null = null;
    for (const i of byPath.get(path)?.imports ?? []) {
      if (i.typeOnly) continue;
      if (!i.target && IMPURE_PACKAGES.some((re) => re.test(i.spec))) reason = `imports ${i.spec}`;
      else if (i.target?.startsWith('shared/')) {
        const deeper = why(i.target, seen);
        if (deeper) reason = `imports ${i.target}, which ${deeper}`;
      }
      if (reason) break;
    }
    memo.set(path, reason);
    return reason;
  };
  return (path) => why(path, new Set());
}

// ---------- the rules ----------

function crossDomainImports(files: readonly Parsed[]): string[] {
  const bad: string[] = [];
  for (const f of files) {
    const mine = domainOf(f.path);
    if (!mine) continue;
    for (const i of f.imports) {
      const theirs = i.target && domainOf(i.target);
      if (theirs && theirs !== mine && i.target !== `functions/${theirs}/public.ts`) bad.push(`${where(f, i)} imports ${i.target}`);
    }
  }
  return bad;
}

function kernelKnowsDomains(files: readonly Parsed[]): string[] {
  const bad: string[] = [];
  const named = new RegExp(`(^|[^A-Za-z0-9_-])(${DOMAINS.join('|')})([^A-Za-z0-9_-]|$)`);
  const isLiteral = (n: ts.Node) =>
    (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) && !ts.isImportDeclaration(n.parent) && !ts.isExportDeclaration(n.parent);
  for (const f of files.filter((x) => x.path.startsWith('shared/'))) {
    for (const i of f.imports) if (i.target?.startsWith('functions/') || /(^|\/)functions\//.test(i.spec)) bad.push(`${where(f, i)} imports ${i.spec}`);
    for (const l of find(f, (n) => isLiteral(n) && named.test((n as ts.LiteralLikeNode).text))) bad.push(`${f.path}:${l.line} names a domain: ${l.text}`);
  }
  return bad;
}

function impureDomainRooms(files: readonly Parsed[]): string[] {
  const bad: string[] = [];
  const impure = impurity(files);
  for (const f of files.filter((x) => /^functions\/[^/]+\/domain\//.test(x.path))) {
    const mine = domainOf(f.path)!;
    for (const i of f.imports) {
      if (!i.target) {
        if (!i.typeOnly && !PURE_PACKAGES.some((re) => re.test(i.spec))) bad.push(`${where(f, i)} imports the package ${i.spec}`);
        continue;
      }
      if (i.target.startsWith(`functions/${mine}/domain/`)) continue;
      if (i.target.startsWith('shared/')) {
        const reason = i.typeOnly ? null : impure(i.target);
        if (reason) bad.push(`${where(f, i)} imports ${i.target}, which ${reason}`);
        continue;
      }
      const theirs = domainOf(i.target);
      if (theirs && theirs !== mine && i.target === `functions/${theirs}/public.ts` && i.typeOnly) continue;
      bad.push(`${where(f, i)} imports ${i.target}${i.typeOnly ? ' (even its types: domain/ does not know the edge, the store or the use cases)' : ''}`);
    }
  }
  return bad;
}

const ENTRY_POINTS = ['http.ts', 'queue.ts', 'schedule.ts'];
const TOP_LEVEL_FILES = [...ENTRY_POINTS, 'public.ts', 'schemas.ts', 'store.ts'];
const ROOMS = ['domain', 'usecases'];
const REQUIRED = ['public.ts', 'schemas.ts', 'store.ts', ...ROOMS];
/** Generated files a domain keeps beside its code. */
const GENERATED = new Set(['functions/supervision/openapi.json' /* npm run openapi */]);
const VAGUE_NAMES = /^(common|utils?|helpers?|misc|shared|lib|index|service|stuff)\.ts$/;

/** A domain folder's listing: its entries, and those of its rooms. */
interface Listing {
  domain: string;
  entries: { name: string; dir: boolean }[];
  rooms: Record<string, { name: string; dir: boolean }[]>;
}

function listing(domain: string): Listing {
  const read = (dir: string) => readdirSync(join(ROOT, dir), { withFileTypes: true }).map((e) => ({ name: e.name, dir: e.isDirectory() }));
  const entries = read(`functions/${domain}`);
  const rooms = Object.fromEntries(ROOMS.filter((r) => entries.some((e) => e.dir && e.name === r)).map((r) => [r, read(`functions/${domain}/${r}`)]));
  return { domain, entries, rooms };
}

function roomsOutOfShape(listings: readonly Listing[]): string[] {
  const bad: string[] = [];
  for (const { domain, entries, rooms } of listings) {
    const dir = `functions/${domain}`;
    for (const e of entries) {
      const p = `${dir}/${e.name}`;
      if (e.dir ? ROOMS.includes(e.name) : TOP_LEVEL_FILES.includes(e.name) || GENERATED.has(p)) continue;
      bad.push(`${p} is none of a domain's rooms (${[...TOP_LEVEL_FILES, ...ROOMS.map((r) => `${r}/`)].join(', ')})`);
    }
    for (const room of REQUIRED) if (!entries.some((e) => e.name === room)) bad.push(`${dir} has no ${room}`);
    if (!entries.some((e) => ENTRY_POINTS.includes(e.name))) bad.push(`${dir} has no entry point`);
    for (const [room, files] of Object.entries(rooms)) {
      for (const e of files) {
        const p = `${dir}/${room}/${e.name}`;
        if (e.dir || !e.name.endsWith('.ts')) bad.push(`${p}: a room holds .ts files`);
        else if (TOP_LEVEL_FILES.includes(e.name)) bad.push(`${p} takes the name of a domain's ${e.name}`);
        else if (VAGUE_NAMES.test(e.name)) bad.push(`${p}: not a name that says what it holds`);
      }
    }
  }
  return bad;
}

function dynamoOutsideStores(files: readonly Parsed[]): string[] {
  const bad: string[] = [];
  for (const f of files.filter((x) => x.path.startsWith('functions/') && !x.path.endsWith('/store.ts'))) {
    for (const i of f.imports) {
      if (!i.typeOnly && (/^@aws-sdk\/(client-dynamodb|lib-dynamodb)$/.test(i.spec) || i.target === 'shared/ddb.ts')) bad.push(`${where(f, i)} imports ${i.spec}`);
    }
  }
  return bad;
}

function clocksInDomains(files: readonly Parsed[]): string[] {
  const bad: string[] = [];
  const isDate = (e: ts.Expression) => ts.isIdentifier(e) && e.text === 'Date';
  for (const f of files.filter((x) => x.path.startsWith('functions/'))) {
    const hits = find(f, (n) => (ts.isNewExpression(n) && isDate(n.expression)) || (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && isDate(n.expression.expression) && n.expression.name.text === 'now'));
    for (const h of hits) bad.push(`${f.path}:${h.line} ${h.text}`);
  }
  return bad;
}

// ---------- the tree ----------

const FILES = [...tsFiles('functions'), ...tsFiles('shared')].map((p) => parse(p, readFileSync(join(ROOT, p), 'utf8')));

describe('architecture (issue 19)', () => {
  it('reads the domains of the topology, each a folder functions/<domain>/, and every file with its imports', () => {
    expect(DOMAINS.length).toBeGreaterThan(5);
    const dirs = readdirSync(join(ROOT, 'functions'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
    expect(dirs).toEqual([...DOMAINS].sort());
    expect(FILES.length).toBeGreaterThan(100);
    expect(FILES.flatMap((f) => f.imports).filter((i) => i.target).length).toBeGreaterThan(500);
  });

  it('a domain imports of another domain only its public.ts', () => {
    expect(crossDomainImports(FILES)).toEqual([]);
  });

  it('the kernel imports nothing of functions/ and names no domain', () => {
    expect(kernelKnowsDomains(FILES)).toEqual([]);
  });

  it('domain/ is pure: no zod, no I/O, not its store, schemas or use cases', () => {
    expect(impureDomainRooms(FILES)).toEqual([]);
  });

  it('the purity check follows the kernel: ddb, tx and the zod edge are impure, money and clock are not', () => {
    const impure = impurity(FILES);
    expect(impure('shared/ddb.ts')).toMatch(/@aws-sdk/);
    expect(impure('shared/tx.ts')).toMatch(/shared\/ddb\.ts|@aws-sdk/);
    expect(impure('shared/schemas.ts')).toMatch(/zod/);
    expect(impure('shared/money.ts')).toBeNull();
    expect(impure('shared/clock.ts')).toBeNull();
  });

  it('every domain has the same rooms, with names that say what they are', () => {
    expect(roomsOutOfShape(DOMAINS.map(listing))).toEqual([]);
  });

  it('only store.ts talks to DynamoDB in a domain', () => {
    expect(dynamoOutsideStores(FILES)).toEqual([]);
  });

  it('no clock in a domain: no new Date(…), no Date.now() in functions/', () => {
    expect(clocksInDomains(FILES)).toEqual([]);
  });

  it('each rule catches the fault it is for (planted files)', () => {
    const planted = [
      parse('functions/deposits/usecases/planted.ts', "import { getLoan } from '../../loans/store.ts';\nimport { loanTotals } from '../../loans/public.ts';\nconst t = new Date(); const n = Date.now();\nimport { ddb } from '../../../shared/ddb.ts';\n"),
      parse('functions/deposits/domain/planted.ts', "import * as z from '../../../shared/zod.ts';\nimport type { X } from '../schemas.ts';\nimport { commit } from '../../../shared/tx.ts';\nimport type { Y } from '../../loans/public.ts';\nimport { fenToYuan } from '../../../shared/money.ts';\nimport { z as zz } from 'zod/mini';\nexport { s } from '../store.ts';\n"),
      parse('shared/planted.ts', "import type { Loan } from '../functions/loans/domain/loan.ts';\nconst flow = 'loans';\nconst key = `LTOT#${'x'}#withdrawals`;\n// deposits in a comment is fine\nconst fine = 'loan';\n"),
      ...FILES.filter((f) => f.path.startsWith('shared/')),
    ];
    expect(crossDomainImports(planted)).toEqual(['functions/deposits/usecases/planted.ts:1 imports functions/loans/store.ts']);
    expect(clocksInDomains(planted)).toEqual(['functions/deposits/usecases/planted.ts:3 new Date()', 'functions/deposits/usecases/planted.ts:3 Date.now()']);
    expect(dynamoOutsideStores(planted)).toEqual(['functions/deposits/usecases/planted.ts:4 imports ../../../shared/ddb.ts']);
    expect(impureDomainRooms(planted)).toEqual([
      'functions/deposits/domain/planted.ts:1 imports shared/zod.ts, which imports zod/mini',
      'functions/deposits/domain/planted.ts:2 imports functions/deposits/schemas.ts (even its types: domain/ does not know the edge, the store or the use cases)',
      expect.stringMatching(/^functions\/deposits\/domain\/planted\.ts:3 imports shared\/tx\.ts, which imports /),
      'functions/deposits/domain/planted.ts:6 imports the package zod/mini',
      'functions/deposits/domain/planted.ts:7 imports functions/deposits/store.ts',
    ]);
    expect(kernelKnowsDomains(planted)).toEqual([
      'shared/planted.ts:1 imports ../functions/loans/domain/loan.ts',
      "shared/planted.ts:2 names a domain: 'loans'",
      'shared/planted.ts:3 names a domain: }#withdrawals`',
    ]);
    const room = (name: string, dir = false) => ({ name, dir });
    expect(
      roomsOutOfShape([
        { domain: 'planted', entries: [room('http.ts'), room('service.ts'), room('views.ts'), room('store.ts'), room('domain', true), room('usecases', true), room('lib', true)], rooms: { domain: [room('schedule.ts'), room('loan.ts')], usecases: [room('common.ts'), room('apply.ts'), room('sub', true)] } },
      ]),
    ).toEqual([
      'functions/planted/service.ts is none of a domain\'s rooms (http.ts, queue.ts, schedule.ts, public.ts, schemas.ts, store.ts, domain/, usecases/)',
      'functions/planted/views.ts is none of a domain\'s rooms (http.ts, queue.ts, schedule.ts, public.ts, schemas.ts, store.ts, domain/, usecases/)',
      'functions/planted/lib is none of a domain\'s rooms (http.ts, queue.ts, schedule.ts, public.ts, schemas.ts, store.ts, domain/, usecases/)',
      'functions/planted has no public.ts',
      'functions/planted has no schemas.ts',
      'functions/planted/domain/schedule.ts takes the name of a domain\'s schedule.ts',
      'functions/planted/usecases/common.ts: not a name that says what it holds',
      'functions/planted/usecases/sub: a room holds .ts files',
    ]);
  });
});
