// `npm run schedule -- <name> [--date YYYY-MM-DD] [--no-wait]` runs one of the topology's schedules
// now in the running local runtime, for the given business day (default: today), and by default
// waits until the run and every queue it fed have drained.
import { schedules } from '../topology.ts';
import { isCalendarDate } from '../../shared/validators.ts';

const args = process.argv.slice(2);
const name = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--date');
const dateAt = args.indexOf('--date');
const date = dateAt >= 0 ? args[dateAt + 1] : undefined;
const wait = !args.includes('--no-wait');
if (!name || !schedules.some((s) => s.name === name) || (dateAt >= 0 && !isCalendarDate(date ?? ''))) {
  console.error(`usage: npm run schedule -- <name> [--date YYYY-MM-DD] [--no-wait]\nschedules: ${schedules.map((s) => `${s.name} (${s.expression})`).join(', ')}`);
  process.exit(2);
}
const base = process.env.HPF_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const res = await fetch(`${base}/_local/schedules/${name}${wait ? '?wait=true' : ''}`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(date ? { date } : {}),
});
console.log(res.status, await res.text());
process.exit(res.ok ? 0 : 1);
