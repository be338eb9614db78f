// Scheduled entry points: EventBridge Scheduler passes the topology's input ({ task, … }) plus its
// scheduled time (`scheduledTime`, the `<aws.scheduler.scheduled-time>` context attribute). Scheduled
// work takes its business date from the event, never from the wall clock, so a late or repeated run
// does that day's work and no other. The local runtime's schedule control may pass `date` instead.
import middy from '@middy/core';
import { createLogger, type Logger } from './log.ts';
import { annotate, traceHandler } from './trace.ts';
import { businessDate } from './clock.ts';
import { isCalendarDate } from './validators.ts';

export interface ScheduleContext {
  /** The business date (Asia/Shanghai) of the run: `date` of the event, else its scheduled time's. */
  date: string;
}

export type ScheduledTask = (input: Record<string, unknown>, log: Logger, ctx: ScheduleContext) => Promise<unknown>;

/** The business date of a scheduled event: `date` (YYYY-MM-DD), else the day of `scheduledTime`, else today. */
export function scheduledDate(event: Record<string, unknown> | undefined): string {
  const date = event?.date;
  if (typeof date === 'string') {
    if (!isCalendarDate(date)) throw new Error(`scheduled date must be YYYY-MM-DD: ${date}`);
    return date;
  }
  const at = event?.scheduledTime ?? event?.time; // Scheduler's context attribute; EventBridge rules' `time`
  if (typeof at === 'string' && !Number.isNaN(Date.parse(at))) return businessDate(new Date(at));
  return businessDate();
}

export function scheduleHandler(service: string, tasks: Record<string, ScheduledTask>) {
  const log = createLogger(service);
  return middy<Record<string, unknown>, unknown>()
    .use(traceHandler())
    .handler(async (event) => {
      const task = typeof event?.task === 'string' ? tasks[event.task] : undefined;
      if (!task) throw new Error(`unknown scheduled task ${String(event?.task)}`);
      annotate({ task: event.task as string });
      const date = scheduledDate(event);
      const started = Date.now();
      const result = await task(event, log.child({ task: event.task, date }), { date });
      log.info('scheduled task done', { task: event.task, date, ms: Date.now() - started });
      return result;
    });
}
