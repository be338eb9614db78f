// Scheduled entry points: EventBridge Scheduler passes the topology's input ({ task, … }).
import middy from '@middy/core';
import { createLogger, type Logger } from './log.ts';
import { annotate, traceHandler } from './trace.ts';

export type ScheduledTask = (input: Record<string, unknown>, log: Logger) => Promise<unknown>;

export function scheduleHandler(service: string, tasks: Record<string, ScheduledTask>) {
  const log = createLogger(service);
  return middy<Record<string, unknown>, unknown>()
    .use(traceHandler())
    .handler(async (event) => {
      const task = typeof event?.task === 'string' ? tasks[event.task] : undefined;
      if (!task) throw new Error(`unknown scheduled task ${String(event?.task)}`);
      annotate({ task: event.task as string });
      const started = Date.now();
      const result = await task(event, log.child({ task: event.task }));
      log.info('scheduled task done', { task: event.task, ms: Date.now() - started });
      return result;
    });
}
