/**
 * The model's own thread (see thread.ts): loads the classifier once and answers classify requests in
 * the order they come. Loaded from dist/.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ModelClassifier } from './classifier.js';
import type { ThreadReply, ThreadRequest } from './thread.js';

const { dir, dtype } = workerData as { dir: string; dtype: 'fp32' | 'q8' };
const port = parentPort!;
const reply = (m: ThreadReply) => port.postMessage(m);

try {
  const classifier = await ModelClassifier.load(dir, dtype);
  port.on('message', (req: ThreadRequest) => {
    classifier.classify(req.texts, req.batchSize, req.calibrated).then(
      (predictions) => reply({ id: req.id, predictions }),
      (e: unknown) => reply({ id: req.id, error: e instanceof Error ? e.message : String(e) }),
    );
  });
  reply({ kind: 'ready', info: classifier.info });
} catch (e) {
  reply({ kind: 'failed', message: e instanceof Error ? e.message : String(e) });
}
