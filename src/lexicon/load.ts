import { readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { dataPath } from '../paths.js';
import type { LexiconFile } from './types.js';

import { compileSchema } from '../schema-validate.js';

export class LexiconError extends Error {}

let validator: ReturnType<typeof compileSchema> | null = null;

function validate(file: string, data: unknown): LexiconFile {
  validator ??= compileSchema(JSON.parse(readFileSync(dataPath('lexicons', 'lexicon.schema.json'), 'utf8')));
  if (!validator(data)) {
    const errs = (validator.errors ?? []).slice(0, 5);
    throw new LexiconError(`${file}: not a valid lexicon: ${errs.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`);
  }
  return data as LexiconFile;
}

export function readLexiconFile(path: string): LexiconFile {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (e) {
    throw new LexiconError(`${path}: cannot read lexicon: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (e) {
    throw new LexiconError(`${path}: lexicon is not JSON: ${(e as Error).message}`);
  }
  return validate(path, data);
}

/** The shipped lexicons: every data/lexicons/*.json except the schema, in name order. */
export function shippedLexiconPaths(): string[] {
  const dir = dataPath('lexicons');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
    .sort()
    .map((f) => join(dir, f));
}

export interface LoadedLexicons {
  files: LexiconFile[];
  /** a digest of the files' content and their count, for the output's version block */
  version: string;
}

export function loadLexicons(extraPaths: string[] = [], includeShipped = true): LoadedLexicons {
  const paths = [...(includeShipped ? shippedLexiconPaths() : []), ...extraPaths];
  const files: LexiconFile[] = [];
  const hash = createHash('sha256');
  const seen = new Map<string, string>();
  for (const p of paths) {
    const f = readLexiconFile(p);
    for (const e of f.entries) {
      const prev = seen.get(e.id);
      if (prev) throw new LexiconError(`${basename(p)}: entry id ${e.id} is already defined in ${prev}`);
      seen.set(e.id, basename(p));
    }
    files.push(f);
    hash.update(JSON.stringify(f));
  }
  // short, since it is written into every result: a digest of the content and the file count
  return { files, version: `sha256:${hash.digest('hex').slice(0, 12)} (${files.length} files)` };
}
