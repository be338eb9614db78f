// The README's map of the code and docs/architecture.md's tree agree with the tree (issue 19): every
// path they name is there, every domain under functions/ is named in both, and the kernel's modules
// are all named in the README's line for shared/ (a module added without a word in the map fails).
import { describe, it, expect } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const read = (f: string) => readFileSync(join(root, f), 'utf8');

/** The first fenced block after `heading`. */
function blockAfter(text: string, heading: string): string[] {
  const at = text.indexOf(heading);
  if (at < 0) throw new Error(`no "${heading}"`);
  const open = text.indexOf('```\n', at);
  const close = text.indexOf('```\n', open + 4);
  return text.slice(open + 4, close).split('\n');
}

const domains = readdirSync(join(root, 'functions')).filter((d) => statSync(join(root, 'functions', d)).isDirectory()).sort();
const exists = (p: string) => existsSync(join(root, p.replace(/\/$/, '')));

/** Path-like words of a block (a/b, a/b.ts, a/ …) under the repository's top folders, `<domain>` read as every domain. */
function pathsIn(lines: readonly string[]): string[] {
  const words = lines.flatMap((l) => l.match(/(?<![\w./-])(?:infra|functions|shared|web|test|docs)\/[\w<>./-]*/g) ?? []);
  return [...new Set(words.map((w) => w.replace(/[.,;:]+$/, '')))].flatMap((w) => (w.includes('<domain>') ? domains.map((d) => w.replace('<domain>', d)) : [w]));
}

/** The description that follows a column-0 entry (the entry's own line and its indented continuation lines). */
function entry(lines: readonly string[], name: string): string {
  const i = lines.findIndex((l) => l.startsWith(name));
  if (i < 0) throw new Error(`no entry ${name}`);
  const out = [lines[i].slice(name.length)];
  for (let j = i + 1; j < lines.length && /^ {10,}/.test(lines[j]); j++) out.push(lines[j]);
  return out.join(' ');
}

describe('the README map of the code', () => {
  const map = blockAfter(read('README.md'), '## Map of the code');

  it('names only paths the tree has', () => {
    const paths = pathsIn(map);
    expect(paths.length).toBeGreaterThan(10);
    expect(paths.filter((p) => !exists(p))).toEqual([]);
  });

  it('lists every domain under functions/, and nothing else, each with its line', () => {
    const listed = map.filter((l) => /^ {2}[a-z-]+\/ /.test(l)).map((l) => l.trim().split('/')[0]).sort();
    expect(listed).toEqual(domains);
  });

  it('names the six rooms of a domain and every kernel module', () => {
    const rooms = entry(map, 'functions/<domain>/');
    for (const room of ['http.ts', 'queue.ts', 'schedule.ts', 'usecases/', 'domain/', 'schemas.ts', 'store.ts', 'public.ts']) expect(rooms).toContain(room);
    const kernel = entry(map, 'shared/');
    const modules = readdirSync(join(root, 'shared')).map((f) => f.replace(/\.ts$/, ''));
    expect(modules.filter((m) => !new RegExp(`(?<![\\w-])${m}(?![\\w-])`).test(kernel))).toEqual([]);
    for (const f of readdirSync(join(root, 'shared/ledger'))) expect(kernel).toContain(f.replace(/\.ts$/, ''));
  });
});

describe("docs/architecture.md's picture", () => {
  const text = read('docs/architecture.md');
  const tree = blockAfter(text, '## The tree');

  it('names only paths the tree has', () => {
    const paths = pathsIn(tree);
    expect(paths.length).toBeGreaterThan(5);
    expect(paths.filter((p) => !exists(p))).toEqual([]);
    // the files named in a folder's line (infra/aws/, infra/local/) are in that folder
    for (const folder of ['infra/aws/', 'infra/local/']) {
      const names = entry(tree, `  ${folder.slice('infra/'.length)}`).replace(/\(.*?\)/g, '').split(/[\s,:]+/).filter((w) => /^[a-z][a-z-]+$/.test(w) && w !== 'the' && w !== 'embedded' && w !== 'runtime' && w !== 'stack' && w !== 'app');
      const files = readdirSync(join(root, folder)).map((f) => f.replace(/\.(ts|mjs|cjs)$/, ''));
      expect(names.filter((n) => /-|^[a-z]+$/.test(n) && !files.includes(n) && !['cdk', 'sqs', 'object', 'store'].includes(n))).toEqual([]);
    }
  });

  it('lists every domain under functions/ and every table and function kind the topology has', async () => {
    const line = tree.find((l) => /^ {2}deposits\//.test(l))!;
    expect(line.trim().split(/\s+/).map((d) => d.replace(/\/$/, '')).sort()).toEqual(domains);
    const { functions, queues } = await import('../../infra/topology.ts');
    for (const f of functions.filter((f) => f.name.endsWith('-http'))) expect(text).toContain(f.name);
    for (const q of queues) expect(text).toContain(q.name);
  });
});
