/** One figure of a benchmark: measured value, its target, and whether the target is met (null: informational). */
export interface BenchRow {
  name: string;
  value: string;
  target: string;
  met: boolean | null;
}

export function printTable(title: string, rows: readonly BenchRow[]) {
  const w = [Math.max(6, ...rows.map((r) => r.name.length)), Math.max(5, ...rows.map((r) => r.value.length)), Math.max(6, ...rows.map((r) => r.target.length))];
  const line = (a: string, b: string, c: string, d: string) => `| ${a.padEnd(w[0])} | ${b.padEnd(w[1])} | ${c.padEnd(w[2])} | ${d.padEnd(4)} |`;
  console.log(`\n${title}`);
  console.log(line('figure', 'value', 'target', 'met'));
  console.log(`|${'-'.repeat(w[0] + 2)}|${'-'.repeat(w[1] + 2)}|${'-'.repeat(w[2] + 2)}|------|`);
  for (const r of rows) console.log(line(r.name, r.value, r.target, r.met === null ? '—' : r.met ? 'yes' : 'NO'));
}
