// `npm run schedule -- <name>` fires one of the topology's schedules now in the running local runtime.
import { schedules } from '../topology.ts';

const name = process.argv[2];
if (!name || !schedules.some((s) => s.name === name)) {
  console.error(`usage: npm run schedule -- <name>\nschedules: ${schedules.map((s) => `${s.name} (${s.expression})`).join(', ')}`);
  process.exit(2);
}
const base = process.env.HPF_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
const res = await fetch(`${base}/_local/schedules/${name}`, { method: 'POST' });
console.log(res.status, await res.text());
process.exit(res.ok ? 0 : 1);
