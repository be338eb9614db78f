// The local runtime of the city benchmark (city.bench.ts) in a process of its own, so that its memory
// is the runtime's alone (the handlers run in this process: infra/local/runtime.ts imports them and the
// SQS pollers invoke them in-process; DynamoDB Local is this process's child JVM). Forked with an IPC
// channel: it sends { ready, url, env, pid } once started, and answers { cmd: 'drain' } (every queue
// empty, no poller busy) and { cmd: 'stop' }.
import { startLocalRuntime } from '../../infra/local/runtime.ts';
import { freePort } from '../../infra/local/ports.ts';

process.env.LOG_LEVEL ??= 'silent';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const pollerConcurrency = Number(process.env.CITY_POLLERS ?? 4);
const runtime = await startLocalRuntime({ port: await freePort(), scheduler: false, pollerConcurrency, log: (m) => process.stderr.write(`city runtime: ${m}\n`) });

process.on('message', async (msg: { id: number; cmd: 'drain' | 'stop' }) => {
  try {
    if (msg.cmd === 'drain') await runtime.drain();
    if (msg.cmd === 'stop') await runtime.stop();
    process.send!({ id: msg.id, ok: true });
    if (msg.cmd === 'stop') process.exit(0);
  } catch (err) {
    process.send!({ id: msg.id, ok: false, error: (err as Error).message });
  }
});
process.on('disconnect', () => {
  void runtime.stop().finally(() => process.exit(0));
});
process.send!({ ready: true, url: runtime.url, env: runtime.env, pid: process.pid, pollerConcurrency });
