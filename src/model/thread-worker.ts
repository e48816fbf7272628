/**
 * The model thread's side (see thread.ts): loads the transformer once, says it is ready with the
 * model's info, then answers classify requests in the order they come.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ModelClassifier } from './classifier.js';
import type { ThreadData, ThreadReady, ThreadReply, ThreadRequest } from './thread.js';

const port = parentPort!;
const { dir, dtype, threads } = workerData as ThreadData;
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

try {
  const classifier = await ModelClassifier.load(dir, dtype, threads);
  port.on('message', async (req: ThreadRequest) => {
    let reply: ThreadReply;
    try {
      reply = { id: req.id, predictions: await classifier.classify(req.texts, req.batchSize, req.calibrated) };
    } catch (e) {
      reply = { id: req.id, error: message(e) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ info: classifier.info } satisfies ThreadReady);
} catch (e) {
  port.postMessage({ error: message(e) } satisfies ThreadReady);
}
