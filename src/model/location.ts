import { join } from 'node:path';
import { packageRoot } from '../paths.js';

/** The shipped model's directory. Kept apart from classifier.ts so that naming it does not load transformers.js. */
export const DEFAULT_MODEL_DIR = (): string => join(packageRoot(), 'models', 'raqib-small');
