// Least privilege, measured (issue 19): what each topology function's code touches, read from the
// code esbuild bundles for it, held against what infra/topology.ts (and SEALING_GRANTS) grant it.
//
// One esbuild build (the bundle's options of infra/aws/hpf-function.ts: ESM, platform node, target,
// main fields, aliases, @aws-sdk/* external; not minified, so that each module's code stays marked
// by its `// path` comment) with one entry per function, each its own bundle. Every package is left
// external here, not only the SDK: no package we depend on reaches a table, queue, bucket or key by
// itself (our code calls them with our clients and names), our own modules are tree-shaken the same
// either way, and the output is a seventh of the bytes (about a second for every function, instead
// of several). esbuild's tree shaking keeps of every module only the top-level statements the entry
// reaches (a store's writers are not in a function that only reads through it). A function's entry
// is its entry file with only its own handler exported (an entry file may export several handlers,
// `queue.ts` one per worker: Lambda runs only the one named, so the others' code is not the
// function's); its topology `chunks` are entries too, and their code is the function's as well.
//
// In that code (TypeScript's parser over esbuild's output), the resources are the arguments of the
// kernel's resource functions, which must be literals or constants (anything else is an error here,
// so that nothing escapes the measure):
//  - tables: `tableName('x')` (shared/config.ts). A table is read by any live code naming it, and
//    written where a live DynamoDB write names it: a `Put` / `Update` / `Delete` transaction item
//    or a Put/Update/Delete/BatchWrite command (a `ConditionCheck` only reads). The write's table is
//    the `tableName` in its `TableName` (directly or through a module's `T()`), or the one table its
//    module names; a function writing a table its caller names (shared/ddb.ts `updateIf(input)`) is
//    measured where it is called, by what it is given. The idempotency table counts only in a
//    function that reads the Idempotency-Key header: an IdempotencyContext comes from the HTTP stack
//    only (shared/http/idempotency.ts), and without one shared/tx.ts never touches that table;
//  - queues: `send('q', …)` (shared/sqs.ts) sends; `queueDepth('q')` and `health([...])`
//    (shared/health.ts) read a queue's attributes (`inspects`);
//  - buckets: shared/s3.ts's functions (pre-signing is a use: the URL lends the signer's rights);
//  - the sealing key: `sealSecret` / `openSecret` (shared/secrets.ts) and the `purpose` of the
//    context they are given.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { build, type Metafile, type OutputFile, type Plugin } from 'esbuild';
import ts from 'typescript';
import { functions as topologyFunctions, type BucketName, type FunctionDef, type FunctionName, type QueueName, type TableName } from './topology.ts';
import { BUNDLE_ALIASES, BUNDLE_EXTERNALS, BUNDLE_MAIN_FIELDS, BUNDLE_TARGET, SEALING_GRANTS, repoRoot } from './aws/hpf-function.ts';

export type Access = 'read' | 'readwrite';

/** What a function may do (declared) or does (measured). Lists are sorted. */
export interface Grants {
  tables: Partial<Record<TableName, Access>>;
  sendsTo: QueueName[];
  inspects: QueueName[];
  buckets: Partial<Record<BucketName, Access>>;
  sealing: { seal: string[]; open: string[] };
}

/** Where a measured use was found: the resource, what is done with it, and the module doing it. */
export interface Use {
  kind: 'table' | 'send' | 'inspect' | 'bucket' | 'seal' | 'open';
  resource: string;
  access: Access;
  module: string;
}

export interface Measured {
  grants: Grants;
  uses: Use[];
}

/** The grants infra/topology.ts and SEALING_GRANTS (infra/aws/hpf-function.ts) give a function. */
export function declaredGrants(def: FunctionDef): Grants {
  const sealing = SEALING_GRANTS[def.name];
  return {
    tables: { ...def.tables },
    sendsTo: [...def.sendsTo].sort(),
    inspects: [...(def.inspects ?? [])].sort(),
    buckets: { ...(def.buckets ?? {}) },
    sealing: { seal: [...(sealing?.seal ?? [])].sort(), open: [...(sealing?.open ?? [])].sort() },
  };
}

/**
 * Every difference between what a function is granted and what its code uses, one sentence each
 * naming the function and the resource (empty: the grants are exactly the measured use).
 */
export function grantProblems(name: FunctionName, declared: Grants, measured: Measured): string[] {
  const problems: string[] = [];
  const where = (kind: Use['kind'] | Use['kind'][], resource: string, access?: Access) => {
    const kinds = Array.isArray(kind) ? kind : [kind];
    const modules = [...new Set(measured.uses.filter((u) => kinds.includes(u.kind) && u.resource === resource && (!access || u.access === access)).map((u) => u.module))].sort();
    return modules.length ? ` (${modules.join(', ')})` : '';
  };
  const tableNames = [...new Set([...Object.keys(declared.tables), ...Object.keys(measured.grants.tables)])].sort() as TableName[];
  for (const t of tableNames) {
    const granted = declared.tables[t];
    const used = measured.grants.tables[t];
    if (granted === used) continue;
    if (!granted) problems.push(`${name}: missing grant: table ${t} (${used}): its code ${used === 'readwrite' ? 'writes' : 'reads'} it${where('table', t, used)}`);
    else if (!used) problems.push(`${name}: unused grant: table ${t} (${granted}): nothing in its code touches it`);
    else if (granted === 'readwrite') problems.push(`${name}: table ${t} is granted readwrite where read suffices: its code only reads it${where('table', t)}`);
    else problems.push(`${name}: missing grant: table ${t} is granted read, but its code writes it${where('table', t, 'readwrite')}`);
  }
  const sets: [string, Use['kind'], string[], string[]][] = [
    ['queue (send)', 'send', declared.sendsTo, measured.grants.sendsTo],
    ['queue (inspect)', 'inspect', declared.inspects, measured.grants.inspects],
    ['sealing key (seal, purpose)', 'seal', declared.sealing.seal, measured.grants.sealing.seal],
    ['sealing key (open, purpose)', 'open', declared.sealing.open, measured.grants.sealing.open],
  ];
  for (const [what, kind, granted, used] of sets) {
    for (const r of used.filter((x) => !granted.includes(x))) problems.push(`${name}: missing grant: ${what} ${r}: its code uses it${where(kind, r)}`);
    for (const r of granted.filter((x) => !used.includes(x))) problems.push(`${name}: unused grant: ${what} ${r}: nothing in its code uses it`);
  }
  const bucketNames = [...new Set([...Object.keys(declared.buckets), ...Object.keys(measured.grants.buckets)])].sort() as BucketName[];
  for (const b of bucketNames) {
    const granted = declared.buckets[b];
    const used = measured.grants.buckets[b];
    if (granted === used) continue;
    if (!granted) problems.push(`${name}: missing grant: bucket ${b} (${used}): its code uses it${where('bucket', b)}`);
    else if (!used) problems.push(`${name}: unused grant: bucket ${b} (${granted}): nothing in its code touches it`);
    else if (granted === 'readwrite') problems.push(`${name}: bucket ${b} is granted readwrite where read suffices${where('bucket', b)}`);
    else problems.push(`${name}: missing grant: bucket ${b} is granted read, but its code writes it${where('bucket', b, 'readwrite')}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------- the build

const NAMESPACE = 'hpf-grants';
const OUTDIR = 'grants.out';

/**
 * The entry file with only `handler` exported: every other export loses its `export`, and an
 * initializer that is a call (`queueHandler(…)`, `scheduleHandler(…)`) is marked pure, so that
 * tree shaking drops the other handlers and what only they reach.
 */
export function onlyHandler(source: string, handler: string, file: string): string {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const edits: { at: number; remove: number; insert: string }[] = [];
  let found = false;
  const exportKeyword = (n: ts.Node) => (ts.canHaveModifiers(n) ? ts.getModifiers(n)?.find((m) => m.kind === ts.SyntaxKind.ExportKeyword) : undefined);
  for (const st of sf.statements) {
    const exp = exportKeyword(st);
    if (ts.isExportDeclaration(st) || ts.isExportAssignment(st)) throw new Error(`${file}: an entry file exports its handlers as \`export const\` or \`export function\` (found \`${st.getText(sf).slice(0, 60)}\`)`);
    if (!exp) continue;
    if (ts.isVariableStatement(st)) {
      const names = st.declarationList.declarations.map((d) => (ts.isIdentifier(d.name) ? d.name.text : ''));
      if (names.includes(handler)) {
        if (names.length > 1) throw new Error(`${file}: declare the handler ${handler} on its own`);
        found = true;
        continue;
      }
      edits.push({ at: exp.getStart(sf), remove: exp.getEnd() + 1 - exp.getStart(sf), insert: '' });
      for (const d of st.declarationList.declarations) {
        if (d.initializer && (ts.isCallExpression(d.initializer) || ts.isNewExpression(d.initializer))) edits.push({ at: d.initializer.getStart(sf), remove: 0, insert: '/* @__PURE__ */ ' });
      }
    } else if (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) {
      if (st.name?.text === handler) {
        found = true;
        continue;
      }
      edits.push({ at: exp.getStart(sf), remove: exp.getEnd() + 1 - exp.getStart(sf), insert: '' });
    }
    // exported types and interfaces are erased anyway
  }
  if (!found) throw new Error(`${file} does not export ${handler}`);
  let out = source;
  for (const e of edits.sort((a, b) => b.at - a.at)) out = out.slice(0, e.at) + e.insert + out.slice(e.at + e.remove);
  return out;
}

const handlerEntries = (defs: readonly FunctionDef[]): Plugin => ({
  name: 'hpf-grants-entries',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^${NAMESPACE}:`) }, (args) => ({ path: args.path.slice(NAMESPACE.length + 1), namespace: NAMESPACE }));
    b.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => {
      const def = defs.find((d) => d.name === args.path);
      if (!def) throw new Error(`unknown function ${args.path}`);
      const file = path.join(repoRoot, def.entry);
      return { contents: onlyHandler(readFileSync(file, 'utf8'), def.handler, file), loader: 'ts', resolveDir: path.dirname(file) };
    });
  },
});

interface Bundle {
  metafile: Metafile;
  files: Map<string, OutputFile>;
}

async function bundleAll(defs: readonly FunctionDef[]): Promise<Bundle> {
  const chunkEntries = [...new Set(defs.flatMap((d) => (d.chunks ?? []).map((c) => c.entry)))];
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: [
      ...defs.map((d) => ({ in: `${NAMESPACE}:${d.name}`, out: `fn/${d.name}` })),
      ...chunkEntries.map((entry, i) => ({ in: entry, out: `chunk/${i}` })),
    ],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: BUNDLE_TARGET,
    mainFields: [...BUNDLE_MAIN_FIELDS],
    external: [...BUNDLE_EXTERNALS],
    alias: { ...BUNDLE_ALIASES },
    outdir: OUTDIR,
    write: false,
    metafile: true,
    minify: false,
    packages: 'external', // see the top of this file
    logLevel: 'silent',
    plugins: [handlerEntries(defs)],
  });
  const files = new Map<string, OutputFile>();
  for (const f of result.outputFiles) if (f.path.endsWith('.js')) files.set(path.relative(repoRoot, f.path).split(path.sep).join('/'), f);
  return { metafile: result.metafile, files };
}

// ---------------------------------------------------------------------------------------- the code

/** The kernel's resource functions: module → exported name → what a call's argument names. */
type ApiKind = 'table' | 'send' | 'inspect' | 'inspect-list' | 'bucket-read' | 'bucket-write' | 'seal' | 'open' | 'raw';
interface ApiDef {
  kind: ApiKind;
  /** The argument that names the resource. */
  arg: number;
  /** The module that wraps it: calls there take the resource as a parameter and are measured at the wrapper's call sites. */
  wrappedIn?: string;
}
const API: Record<string, Record<string, ApiDef>> = {
  'shared/config.ts': {
    tableName: { kind: 'table', arg: 0 },
    queueUrl: { kind: 'raw', arg: 0, wrappedIn: 'shared/sqs.ts' },
    bucketName: { kind: 'raw', arg: 0, wrappedIn: 'shared/s3.ts' },
    // the environment variables behind the names: only shared/config.ts reads them
    tableEnvVar: { kind: 'raw', arg: 0, wrappedIn: 'shared/config.ts' },
    queueEnvVar: { kind: 'raw', arg: 0, wrappedIn: 'shared/config.ts' },
    bucketEnvVar: { kind: 'raw', arg: 0, wrappedIn: 'shared/config.ts' },
  },
  'shared/sqs.ts': { send: { kind: 'send', arg: 0 }, queueDepth: { kind: 'inspect', arg: 0, wrappedIn: 'shared/health.ts' } },
  'shared/health.ts': { health: { kind: 'inspect-list', arg: 0 } },
  'shared/s3.ts': {
    presignPut: { kind: 'bucket-write', arg: 0 },
    presignGet: { kind: 'bucket-read', arg: 0 },
    headObject: { kind: 'bucket-read', arg: 0 },
    getObjectBytes: { kind: 'bucket-read', arg: 0 },
    putObjectBytes: { kind: 'bucket-write', arg: 0 },
    deleteObject: { kind: 'bucket-write', arg: 0 },
  },
  'shared/secrets.ts': { sealSecret: { kind: 'seal', arg: 1 }, openSecret: { kind: 'open', arg: 1 } },
};
/** DynamoDB commands that write the table(s) their input names. */
const WRITE_COMMANDS = new Set(['PutCommand', 'UpdateCommand', 'DeleteCommand', 'BatchWriteCommand', 'PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand']);
/** DynamoDB commands whose tables this measure cannot see (PartiQL): refused. */
const UNMEASURED_COMMANDS = new Set(['ExecuteStatementCommand', 'BatchExecuteStatementCommand', 'ExecuteTransactionCommand']);
const DYNAMODB_PACKAGES = new Set(['@aws-sdk/lib-dynamodb', '@aws-sdk/client-dynamodb']);
/** The transaction-item keys that write (ConditionCheck only reads). */
const WRITE_ITEMS = new Set(['Put', 'Update', 'Delete']);
/** The header an IdempotencyContext is made from (shared/http/idempotency.ts). */
const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Environment variables a handler must not read itself (shared/config.ts names them). */
const RESOURCE_ENV = /^(TABLE|QUEUE|BUCKET)_[A-Z0-9_]+$/;

type Decl = ts.VariableDeclaration | ts.FunctionDeclaration | ts.ClassDeclaration;
type Resolved = { decl: Decl; name: string } | { external: string; name: string };

class Unmeasurable extends Error {}

function bindingNames(n: ts.BindingName): string[] {
  if (ts.isIdentifier(n)) return [n.text];
  return n.elements.flatMap((e) => (ts.isOmittedExpression(e) ? [] : bindingNames(e.name)));
}

/** Whether an identifier stands for a binding here (not a property name, a label or a key). */
function isReference(n: ts.Identifier): boolean {
  const p = n.parent;
  if ((ts.isPropertyAccessExpression(p) && p.name === n) || (ts.isQualifiedName(p) && p.right === n)) return false;
  if ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isGetAccessor(p) || ts.isSetAccessor(p)) && p.name === n) return false;
  if (ts.isBindingElement(p) && p.propertyName === n) return false;
  if ((ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) && p.label === n) return false;
  if (ts.isMetaProperty(p)) return false;
  return true;
}

/** The binding of `name` in a function enclosing `node`, if any ('param' for a parameter). */
function localBinding(node: ts.Node, name: string): ts.Node | 'param' | undefined {
  for (let n: ts.Node | undefined = node.parent; n && !ts.isSourceFile(n); n = n.parent) {
    if (!ts.isFunctionLike(n)) continue;
    for (const p of n.parameters) if (bindingNames(p.name).includes(name)) return 'param';
    const fn = n;
    let found: ts.Node | undefined;
    const visit = (x: ts.Node): void => {
      if (found || (x !== fn && ts.isFunctionLike(x) && !ts.isFunctionDeclaration(x))) return;
      if (ts.isVariableDeclaration(x) && bindingNames(x.name).includes(name)) found = x;
      else if ((ts.isFunctionDeclaration(x) || ts.isClassDeclaration(x)) && x !== fn && x.name?.text === name) found = x;
      else if (ts.isCatchClause(x) && x.variableDeclaration && bindingNames(x.variableDeclaration.name).includes(name)) found = x;
      if (x === fn || !ts.isFunctionDeclaration(x)) ts.forEachChild(x, visit);
    };
    visit(fn);
    if (found) return found;
  }
  return undefined;
}

const isFunctionNode = (n: ts.Node | undefined): n is ts.ArrowFunction | ts.FunctionExpression | ts.FunctionDeclaration =>
  !!n && (ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isFunctionDeclaration(n));

/**
 * One bundle's own code: esbuild writes a `// path` comment before each module's code; the modules
 * of node_modules are left out (they call none of our resource functions), the rest is parsed as
 * one program (the bundle's top-level scope is shared: names are unique in it).
 */
class BundleCode {
  readonly sf: ts.SourceFile;
  private readonly segments: { at: number; module: string }[] = [];
  private readonly decls = new Map<string, Decl>();
  private readonly externals = new Map<string, { from: string; name: string }>();
  private readonly apis = new Map<string, ApiDef & { module: string; name: string }>();
  /** The tables each module's live code names (the table of a write that does not name its own). */
  readonly moduleTables = new Map<string, Set<string>>();
  readonly uses: Use[] = [];
  readsIdempotencyKey = false;

  constructor(
    readonly file: string,
    text: string,
    modules: ReadonlySet<string>,
    entryModules: ReadonlyMap<string, string>,
  ) {
    const marks = [...text.matchAll(/^\/\/ (.+)$/gm)].filter((m) => modules.has(m[1].trim()));
    let own = text.slice(0, marks[0]?.index ?? text.length); // the esbuild helpers and the first imports
    for (const [i, m] of marks.entries()) {
      const module = m[1].trim();
      if (module.startsWith('node_modules/')) continue;
      this.segments.push({ at: own.length, module: entryModules.get(module) ?? module });
      own += text.slice(m.index!, marks[i + 1]?.index ?? text.length);
    }
    this.sf = ts.createSourceFile(file, own, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    for (const st of this.sf.statements) {
      if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
        const from = st.moduleSpecifier.text;
        const bindings = st.importClause?.namedBindings;
        if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) this.externals.set(el.name.text, { from, name: (el.propertyName ?? el.name).text });
        if (st.importClause?.name) this.externals.set(st.importClause.name.text, { from, name: 'default' });
        if (bindings && ts.isNamespaceImport(bindings)) this.externals.set(bindings.name.text, { from, name: '*' });
      } else if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) for (const n of bindingNames(d.name)) this.decls.set(n, d);
      } else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) {
        this.decls.set(st.name.text, st);
      }
    }
    for (const [name, decl] of this.decls) {
      const module = this.moduleAt(decl);
      const base = name.replace(/\d+$/, ''); // esbuild renames a clash `send` → `send2`
      const api = API[module]?.[base];
      if (api) this.apis.set(name, { ...api, module, name: base });
    }
  }

  moduleAt(n: ts.Node): string {
    const pos = n.getStart(this.sf);
    let module = '(bundle)';
    for (const s of this.segments) {
      if (s.at > pos) break;
      module = s.module;
    }
    return module;
  }

  /** What a top-level identifier stands for (undefined: a global, or code of node_modules). */
  resolve(name: string): Resolved | undefined {
    const decl = this.decls.get(name);
    if (decl) return { decl, name };
    const ext = this.externals.get(name);
    return ext ? { external: ext.from, name: ext.name } : undefined;
  }

  /** The resource function an identifier reference calls, if it is one. */
  apiAt(n: ts.Identifier) {
    const api = this.apis.get(n.text);
    return api && !localBinding(n, n.text) ? api : undefined;
  }

  /** The string values an expression can take (literals, constants, arrays and conditionals of them), or throws. */
  strings(e: ts.Expression, depth = 0): string[] {
    if (depth > 20) throw new Unmeasurable('too deep');
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [e.text];
    if (ts.isParenthesizedExpression(e)) return this.strings(e.expression, depth + 1);
    if (ts.isArrayLiteralExpression(e)) return e.elements.flatMap((x) => this.strings(x, depth + 1));
    if (ts.isConditionalExpression(e)) return [...this.strings(e.whenTrue, depth + 1), ...this.strings(e.whenFalse, depth + 1)];
    if (ts.isIdentifier(e)) {
      const local = localBinding(e, e.text);
      if (local === 'param') throw new Unmeasurable(`\`${e.text}\` is a parameter: pass a literal or a constant`);
      const decl = local ?? (this.resolve(e.text) as { decl?: Decl } | undefined)?.decl;
      if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.getCombinedNodeFlags(decl) & ts.NodeFlags.Const) return this.strings(decl.initializer, depth + 1);
      if (decl && ts.isVariableDeclaration(decl) && decl.initializer && !local) return this.strings(decl.initializer, depth + 1); // esbuild hoists `const` to `var` at top level
    }
    throw new Unmeasurable(`\`${e.getText(this.sf).slice(0, 80)}\` is not a literal or a constant`);
  }

  /** The `purpose` of a secret context: an object literal, or a function or constant giving one. */
  purposes(e: ts.Expression, depth = 0): string[] {
    if (depth > 10) throw new Unmeasurable('too deep');
    if (ts.isParenthesizedExpression(e)) return this.purposes(e.expression, depth + 1);
    if (ts.isObjectLiteralExpression(e)) {
      const prop = e.properties.find((x): x is ts.PropertyAssignment => ts.isPropertyAssignment(x) && (ts.isIdentifier(x.name) || ts.isStringLiteral(x.name)) && x.name.text === 'purpose');
      if (!prop) throw new Unmeasurable('a secret context without a `purpose`');
      return this.strings(prop.initializer);
    }
    const target = ts.isCallExpression(e) && ts.isIdentifier(e.expression) ? e.expression : ts.isIdentifier(e) ? e : undefined;
    const r = target && !localBinding(target, target.text) ? this.resolve(target.text) : undefined;
    if (r && 'decl' in r) {
      const fn = ts.isVariableDeclaration(r.decl) ? r.decl.initializer : r.decl;
      if (ts.isIdentifier(e) && fn && !isFunctionNode(fn) && ts.isVariableDeclaration(r.decl)) return this.purposes(fn as ts.Expression, depth + 1);
      if (ts.isCallExpression(e) && isFunctionNode(fn) && fn.body) {
        if (!ts.isBlock(fn.body)) return this.purposes(fn.body, depth + 1);
        const returns: ts.Expression[] = [];
        const visit = (x: ts.Node): void => {
          if (x !== fn.body && ts.isFunctionLike(x)) return;
          if (ts.isReturnStatement(x) && x.expression) returns.push(x.expression);
          ts.forEachChild(x, visit);
        };
        visit(fn.body);
        if (returns.length) return returns.flatMap((x) => this.purposes(x, depth + 1));
      }
    }
    throw new Unmeasurable(`the secret context \`${e.getText(this.sf).slice(0, 80)}\` has no literal purpose`);
  }

  /** The tables a write's input names: `tableName('x')` in it, or in a function it calls (a store's `T()`). */
  tablesIn(e: ts.Node, seen = new Set<string>()): Set<string> {
    const found = new Set<string>();
    const visit = (x: ts.Node): void => {
      // a local constant (`const table = T()`): what it was given
      if (ts.isIdentifier(x) && isReference(x) && !seen.has(`local:${x.text}:${x.pos}`)) {
        const local = localBinding(x, x.text);
        if (local && local !== 'param' && ts.isVariableDeclaration(local) && local.initializer && ts.getCombinedNodeFlags(local) & ts.NodeFlags.Const) {
          seen.add(`local:${x.text}:${x.pos}`);
          visit(local.initializer);
        }
      }
      if (ts.isCallExpression(x) && ts.isIdentifier(x.expression)) {
        const api = this.apiAt(x.expression);
        if (api?.kind === 'table' && x.arguments[api.arg]) for (const t of this.strings(x.arguments[api.arg])) found.add(t);
        else if (!api && !seen.has(x.expression.text) && !localBinding(x, x.expression.text)) {
          seen.add(x.expression.text);
          const r = this.resolve(x.expression.text);
          const fn = r && 'decl' in r ? (ts.isVariableDeclaration(r.decl) ? r.decl.initializer : r.decl) : undefined;
          if (isFunctionNode(fn)) for (const t of this.tablesIn(fn, seen)) found.add(t);
        }
      }
      ts.forEachChild(x, visit);
    };
    visit(e);
    return found;
  }

  /**
   * A write: a transaction item { Put | Update | Delete: { TableName, … } } (its TableName), a
   * DynamoDB write command (its input), or a call of a write wrapper (the argument it writes with).
   */
  private writeAt(n: ts.Node): { inputs: ts.Node[]; what: string } | undefined {
    if (ts.isPropertyAssignment(n) && (ts.isIdentifier(n.name) || ts.isStringLiteral(n.name)) && WRITE_ITEMS.has(n.name.text) && ts.isObjectLiteralExpression(n.initializer)) {
      const tableProp = n.initializer.properties.find((x): x is ts.PropertyAssignment | ts.ShorthandPropertyAssignment => (ts.isPropertyAssignment(x) || ts.isShorthandPropertyAssignment(x)) && ts.isIdentifier(x.name) && x.name.text === 'TableName');
      return tableProp ? { inputs: [ts.isPropertyAssignment(tableProp) ? tableProp.initializer : tableProp.name], what: `a ${n.name.text} item` } : undefined;
    }
    if (ts.isNewExpression(n) && ts.isIdentifier(n.expression)) {
      const r = localBinding(n, n.expression.text) ? undefined : this.resolve(n.expression.text);
      if (!r || !('external' in r) || !DYNAMODB_PACKAGES.has(r.external)) return undefined;
      if (UNMEASURED_COMMANDS.has(r.name)) throw new Unmeasurable(`${r.name}: PartiQL names its tables in text`);
      if (!WRITE_COMMANDS.has(r.name)) return undefined;
      return { inputs: (n.arguments ?? []).map(tableExpression), what: r.name };
    }
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && this.wrappers.has(n.expression.text) && !localBinding(n, n.expression.text)) {
      return { inputs: this.wrappers.get(n.expression.text)!.flatMap((i) => (n.arguments[i] ? [tableExpression(n.arguments[i])] : [])), what: `${n.expression.text}(…)` };
    }
    return undefined;
  }

  /** The top-level function and parameter a write's table comes from, when it comes from a parameter. */
  private paramSource(input: ts.Node): { fn: string; index: number }[] {
    const found: { fn: string; index: number }[] = [];
    const visit = (x: ts.Node): void => {
      if (ts.isIdentifier(x) && isReference(x) && localBinding(x, x.text) === 'param') {
        for (let f: ts.Node | undefined = x.parent; f && !ts.isSourceFile(f); f = f.parent) {
          if (!ts.isFunctionLike(f)) continue;
          const index = f.parameters.findIndex((p) => bindingNames(p.name).includes(x.text));
          if (index < 0) continue;
          const top = ts.isFunctionDeclaration(f) && ts.isSourceFile(f.parent) ? f.name?.text : ts.isVariableDeclaration(f.parent) && ts.isIdentifier(f.parent.name) && ts.isSourceFile(f.parent.parent.parent) ? f.parent.name.text : undefined;
          if (!top || !ts.isIdentifier(f.parameters[index].name)) throw new Unmeasurable(`a write's table comes from \`${x.text}\`, a parameter of a function that is not a module's own`);
          found.push({ fn: top, index });
          break;
        }
      }
      ts.forEachChild(x, visit);
    };
    visit(input);
    return found;
  }

  /** The tables a write writes; [] when they come from its function's parameter (measured where that function is called). */
  private writeTables(module: string, input: ts.Node, what: string): string[] {
    const named = this.tablesIn(input);
    if (named.size) return [...named];
    const params = this.paramSource(input);
    if (params.length && params.every((p) => this.wrappers.get(p.fn)?.includes(p.index))) return [];
    const own = this.moduleTables.get(module);
    if (own?.size === 1) return [...own];
    throw new Unmeasurable(`${what} names no table (tableName or a function returning one), and its module names ${own?.size ? [...own].join(', ') : 'none'}`);
  }

  /** Functions that write a table their caller names (shared/ddb.ts `updateIf(input)`): name → the parameters. */
  private readonly wrappers = new Map<string, number[]>();

  /** Measures the bundle: the tables each module names, the write wrappers, then every use. */
  measure(): this {
    this.walk((n) => {
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression)) {
        const api = this.apiAt(n.expression);
        if (api?.kind !== 'table' || !n.arguments[api.arg]) return;
        const module = this.moduleAt(n);
        const set = this.moduleTables.get(module) ?? new Set<string>();
        for (const t of this.strings(n.arguments[api.arg])) set.add(t);
        this.moduleTables.set(module, set);
      }
    });
    // a write whose table is a parameter makes its function a wrapper (and a wrapper's caller passing its own parameter, too)
    for (let changed = true; changed; ) {
      changed = false;
      this.walk((n) => {
        const w = this.writeAt(n);
        if (!w) return;
        for (const input of w.inputs) {
          if (this.tablesIn(input).size) continue;
          for (const p of this.paramSource(input)) {
            const list = this.wrappers.get(p.fn) ?? [];
            if (list.includes(p.index)) continue;
            this.wrappers.set(p.fn, [...list, p.index]);
            changed = true;
          }
        }
      });
    }
    this.walk((n) => this.node(n));
    return this;
  }

  private walk(f: (n: ts.Node) => void): void {
    const visit = (n: ts.Node): void => {
      try {
        f(n);
      } catch (error) {
        if (error instanceof Unmeasurable) throw new Error(`cannot measure ${this.moduleAt(n)} (in ${this.file}): ${error.message}`);
        throw error;
      }
      ts.forEachChild(n, visit);
    };
    visit(this.sf);
  }

  private use(n: ts.Node, kind: Use['kind'], resource: string, access: Access): void {
    this.uses.push({ kind, resource, access, module: this.moduleAt(n) });
  }

  private node(n: ts.Node): void {
    if (ts.isIdentifier(n) && this.wrappers.has(n.text) && isReference(n) && !localBinding(n, n.text)) {
      const parent = n.parent;
      const isDecl = (ts.isVariableDeclaration(parent) || ts.isFunctionDeclaration(parent)) && parent.name === n;
      if (!isDecl && !ts.isExportSpecifier(parent) && !(ts.isCallExpression(parent) && parent.expression === n)) throw new Unmeasurable(`${n.text} writes the table it is given, and is used other than called`);
    }
    const write = this.writeAt(n);
    if (write) {
      for (const input of write.inputs) for (const t of this.writeTables(this.moduleAt(n), input, write.what)) this.use(n, 'table', t, 'readwrite');
      return;
    }
    if (ts.isIdentifier(n)) {
      if (!this.apis.has(n.text) || !isReference(n)) return;
      const api = this.apiAt(n);
      if (!api) return;
      const parent = n.parent;
      if (((ts.isVariableDeclaration(parent) || ts.isFunctionDeclaration(parent)) && parent.name === n) || ts.isExportSpecifier(parent)) return;
      if (!(ts.isCallExpression(parent) && parent.expression === n)) throw new Unmeasurable(`${api.name} (${api.module}) is used other than called`);
      if (api.wrappedIn === this.moduleAt(n)) return;
      if (api.kind === 'raw') throw new Unmeasurable(`${api.name} called outside ${api.wrappedIn}: use that module's functions`);
      const arg = parent.arguments[api.arg];
      if (!arg) throw new Unmeasurable(`${api.name} without its argument`);
      if (api.kind === 'seal' || api.kind === 'open') {
        for (const r of this.purposes(arg)) this.use(n, api.kind, r, 'readwrite');
        return;
      }
      for (const r of this.strings(arg)) {
        if (api.kind === 'table') this.use(n, 'table', r, 'read');
        else if (api.kind === 'send') this.use(n, 'send', r, 'readwrite');
        else if (api.kind === 'inspect' || api.kind === 'inspect-list') this.use(n, 'inspect', r, 'read');
        else this.use(n, 'bucket', r, api.kind === 'bucket-write' ? 'readwrite' : 'read');
      }
      return;
    }
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) {
      if (n.text.toLowerCase() === IDEMPOTENCY_HEADER) this.readsIdempotencyKey = true;
      else if (RESOURCE_ENV.test(n.text) && this.moduleAt(n) !== 'shared/config.ts') throw new Unmeasurable(`"${n.text}": resource names come from shared/config.ts (tableName, queueUrl, bucketName)`);
      return;
    }
  }
}

/** The part of a write's input that names its table: its `TableName` (or `RequestItems`) when written out, else all of it. */
function tableExpression(input: ts.Expression): ts.Node {
  if (!ts.isObjectLiteralExpression(input)) return input;
  const prop = input.properties.find((x): x is ts.PropertyAssignment | ts.ShorthandPropertyAssignment => (ts.isPropertyAssignment(x) || ts.isShorthandPropertyAssignment(x)) && ts.isIdentifier(x.name) && (x.name.text === 'TableName' || x.name.text === 'RequestItems'));
  if (!prop) return input; // `{ ...input, … }`: the table is in what is spread
  return ts.isPropertyAssignment(prop) ? prop.initializer : prop.name;
}

function grantsOf(uses: Use[], readsIdempotencyKey: boolean): Grants {
  const g: Grants = { tables: {}, sendsTo: [], inspects: [], buckets: {}, sealing: { seal: [], open: [] } };
  const add = <T extends string>(list: T[], v: T) => {
    if (!list.includes(v)) list.push(v);
  };
  for (const u of uses) {
    if (u.kind === 'table') {
      if (u.resource === 'idempotency' && !readsIdempotencyKey) continue;
      const t = u.resource as TableName;
      g.tables[t] = g.tables[t] === 'readwrite' || u.access === 'readwrite' ? 'readwrite' : 'read';
    } else if (u.kind === 'bucket') {
      const b = u.resource as BucketName;
      g.buckets[b] = g.buckets[b] === 'readwrite' || u.access === 'readwrite' ? 'readwrite' : 'read';
    } else if (u.kind === 'send') add(g.sendsTo, u.resource as QueueName);
    else if (u.kind === 'inspect') add(g.inspects, u.resource as QueueName);
    else if (u.kind === 'seal') add(g.sealing.seal, u.resource);
    else add(g.sealing.open, u.resource);
  }
  g.sendsTo.sort();
  g.inspects.sort();
  g.sealing.seal.sort();
  g.sealing.open.sort();
  g.tables = Object.fromEntries(Object.entries(g.tables).sort(([a], [b]) => a.localeCompare(b)));
  return g;
}

/** Measures what each function's bundled code uses (default: every topology function). */
export async function measureGrants(defs: readonly FunctionDef[] = topologyFunctions): Promise<Map<FunctionName, Measured>> {
  const bundle = await bundleAll(defs);
  const modules = new Set(Object.keys(bundle.metafile.inputs));
  const entryModules = new Map(defs.map((d) => [`${NAMESPACE}:${d.name}`, d.entry]));
  const outputOf = (entryPoint: string) => {
    const found = Object.entries(bundle.metafile.outputs).find(([file, o]) => file.endsWith('.js') && o.entryPoint === entryPoint);
    if (!found) throw new Error(`no output for ${entryPoint}`);
    return found[0];
  };
  // each bundle is measured once (a chunk may be shared by several functions)
  const perFile = new Map<string, { uses: Use[]; readsIdempotencyKey: boolean }>();
  const measuredFile = (file: string) => {
    let m = perFile.get(file);
    if (!m) {
      const out = bundle.files.get(file);
      if (!out) throw new Error(`no output file ${file}`);
      const code = new BundleCode(file, out.text, modules, entryModules).measure();
      m = { uses: code.uses, readsIdempotencyKey: code.readsIdempotencyKey };
      perFile.set(file, m);
    }
    return m;
  };
  const measured = new Map<FunctionName, Measured>();
  for (const def of defs) {
    const files = [outputOf(`${NAMESPACE}:${def.name}`), ...(def.chunks ?? []).map((c) => outputOf(c.entry))].map(measuredFile);
    const uses = files.flatMap((f) => f.uses);
    const dedup = [...new Map(uses.map((u) => [`${u.kind}|${u.resource}|${u.access}|${u.module}`, u])).values()];
    measured.set(def.name, { grants: grantsOf(dedup, files.some((f) => f.readsIdempotencyKey)), uses: dedup });
  }
  return measured;
}

/** `tsx infra/grants.ts`: each function's measured grants, and the differences from the topology. */
async function main() {
  const measured = await measureGrants();
  let problems = 0;
  for (const def of topologyFunctions) {
    const m = measured.get(def.name)!;
    console.log(`${def.name}: ${JSON.stringify(m.grants)}`);
    for (const p of grantProblems(def.name, declaredGrants(def), m)) {
      problems++;
      console.log(`  ${p}`);
    }
  }
  if (problems) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.join(repoRoot, 'infra', 'grants.ts')) await main();
