/**
 * Weak positives for training: the CC0 Fifth Tribe tweets ("How ISIS Uses Twitter", read at run time
 * from ../shared/datasets/real, never committed). The label belongs to the account, not the tweet, so
 * they are noisy positives: the trainer down-weights them and gives them no propaganda category.
 *
 * Half of the tweets (by a hash of the id) may train; the other half is never trained on, so the
 * evaluation (scripts/eval-report.ts) measures recall on tweets the model has not seen.
 */
import { unitHash } from '../corpus/records.js';

export const WEAK_TRAIN_SHARE = 0.5;

export function weakTrains(id: string): boolean {
  return unitHash(`weak:${id}`) < WEAK_TRAIN_SHARE;
}

/** Only a public-domain source may shape the shipped model (../shared/datasets/README.md). */
export const WEAK_ALLOWED = /fifthtribe/i;
