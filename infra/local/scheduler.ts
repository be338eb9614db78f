// The local EventBridge Scheduler: evaluates the topology's cron(...) and rate(...) expressions in
// Asia/Shanghai once a minute and invokes the target with the schedule's input.
import { schedules, type ScheduleDef } from '../topology.ts';

interface Fields {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number; // 1 = Sunday … 7 = Saturday (AWS)
  year: number;
}

function shanghaiFields(at: Date): Fields {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Shanghai', hour12: false, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return { minute: Number(parts.minute), hour: Number(parts.hour) % 24, day: Number(parts.day), month: Number(parts.month), weekday: weekdays.indexOf(parts.weekday) + 1, year: Number(parts.year) };
}

function fieldMatches(expr: string, value: number): boolean {
  if (expr === '*' || expr === '?') return true;
  return expr.split(',').some((part) => {
    const [range, stepStr] = part.split('/');
    const step = stepStr ? Number(stepStr) : 1;
    const [lo, hi] = range === '*' ? [0, 9999] : range.includes('-') ? range.split('-').map(Number) : [Number(range), stepStr ? 9999 : Number(range)];
    return value >= lo && value <= hi && (value - lo) % step === 0;
  });
}

/** Does the schedule fire in the minute containing `at`? */
export function firesAt(expression: string, at: Date, startedAt: Date): boolean {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const unit = rate[2].startsWith('minute') ? 1 : rate[2].startsWith('hour') ? 60 : 1440;
    const elapsed = Math.floor((at.getTime() - startedAt.getTime()) / 60_000);
    return elapsed > 0 && elapsed % (Number(rate[1]) * unit) === 0;
  }
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (!cron) throw new Error(`unsupported schedule expression ${expression}`);
  const [min, hour, dom, mon, dow, year] = cron[1].trim().split(/\s+/);
  const f = shanghaiFields(at);
  return fieldMatches(min, f.minute) && fieldMatches(hour, f.hour) && fieldMatches(dom, f.day) && fieldMatches(mon, f.month) && fieldMatches(dow, f.weekday) && fieldMatches(year, f.year);
}

export type ScheduleInvoke = (s: ScheduleDef) => Promise<unknown>;

export function startScheduler(invoke: ScheduleInvoke, onError: (s: ScheduleDef, e: unknown) => void) {
  const startedAt = new Date();
  let lastMinute = Math.floor(Date.now() / 60_000);
  const timer = setInterval(() => {
    const minute = Math.floor(Date.now() / 60_000);
    if (minute === lastMinute) return;
    lastMinute = minute;
    const at = new Date(minute * 60_000);
    for (const s of schedules) if (firesAt(s.expression, at, startedAt)) invoke(s).catch((e) => onError(s, e));
  }, 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
