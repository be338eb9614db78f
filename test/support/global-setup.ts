// Starts the same local runtime `npm start` uses, once per test run, on free ports, and hands its
// endpoints to the test workers through the environment.
import type { TestProject } from 'vitest/node';
import { startLocalRuntime, type LocalRuntime } from '../../infra/local/runtime.ts';
import { freePort } from '../../infra/local/ports.ts';

let runtime: LocalRuntime | undefined;

export default async function setup(project: TestProject) {
  process.env.LOG_LEVEL ??= 'silent';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  runtime = await startLocalRuntime({ port: await freePort(), visibilityTimeoutSeconds: 1, scheduler: false, centerCode: '330100' });
  process.env.HPF_TEST_BASE_URL = runtime.url;
  process.env.HPF_TEST_BANK_URL = runtime.bank?.url ?? '';
  process.env.HPF_TEST_DLQ_URLS = JSON.stringify(runtime.queues.dlqUrls);
  // the ports the runtime listens on, so that a test can check where they are bound
  process.env.HPF_TEST_LISTENERS = JSON.stringify({ gateway: runtime.url, dynamodb: runtime.dynamodbEndpoint, sqs: runtime.sqsEndpoint, bank: runtime.bank?.url ?? '' });
  project.provide('baseUrl', runtime.url);
  return async () => {
    await runtime?.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
  }
}
