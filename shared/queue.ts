// Queue entry points: SQS batches with partial batch responses. A failed record is reported back so
// SQS redelivers only it; in a FIFO batch the records after a failure in the same group fail too.
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createLogger, type Logger } from './log.ts';
import { annotate, traceHandler } from './trace.ts';

export type RecordHandler = (body: any, record: SQSRecord, log: Logger) => Promise<void>;

export function queueHandler(service: string, handle: RecordHandler) {
  const log = createLogger(service);
  return middy<SQSEvent, SQSBatchResponse>()
    .use(traceHandler())
    .handler(async (event) => {
      const failures: SQSBatchResponse['batchItemFailures'] = [];
      annotate({ records: event.Records.length, messageId: event.Records.length === 1 ? event.Records[0].messageId : undefined });
      const failedGroups = new Set<string>();
      for (const record of event.Records) {
        const group = record.attributes?.MessageGroupId;
        if (group && failedGroups.has(group)) {
          failures.push({ itemIdentifier: record.messageId });
          continue;
        }
        const rlog = log.child({ messageId: record.messageId, receiveCount: record.attributes?.ApproximateReceiveCount });
        try {
          let body: unknown;
          try {
            body = JSON.parse(record.body);
          } catch {
            body = record.body;
          }
          await handle(body, record, rlog);
        } catch (err) {
          rlog.warn('record failed', { error: err });
          failures.push({ itemIdentifier: record.messageId });
          if (group) failedGroups.add(group);
        }
      }
      return { batchItemFailures: failures };
    });
}
