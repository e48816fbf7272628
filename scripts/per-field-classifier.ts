/**
 * The transformer read with one call per field, for scripts/model-input-mode.ts (the measurement of
 * one sequence per record against one per field). Not used by raqib's scorer: one sequence per record
 * is both more accurate and faster (scripts/train/README.md, "One sequence per record").
 */
import type { ModelPrediction, ModelText, TextClassifier } from '../src/model/classifier.js';

/**
 * Each field is its own sequence; the record takes the field with the highest propaganda probability
 * (labels and categories from that same field), as a long text takes its most propaganda-like window.
 */
export class PerFieldClassifier implements TextClassifier {
  constructor(private readonly inner: TextClassifier) {}
  get info() {
    return this.inner.info;
  }
  async classify(texts: ModelText[], batchSize?: number, calibrated?: boolean): Promise<ModelPrediction[]> {
    const jobs = texts.flatMap((t, i) => (typeof t === 'string' || t.length <= 1 ? [{ i, text: t }] : t.map((p) => ({ i, text: [p] }))));
    const preds = await this.inner.classify(jobs.map((j) => j.text), batchSize, calibrated);
    const best: ModelPrediction[] = [];
    jobs.forEach((j, k) => {
      if (!best[j.i] || preds[k].labels.propaganda > best[j.i].labels.propaganda) best[j.i] = preds[k];
    });
    return best;
  }
  dispose(): Promise<void> {
    return this.inner.dispose();
  }
}
