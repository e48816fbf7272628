import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * eld's 'small' n-gram table, read as JSON. Evaluating eld's own entry (`eld/small`, a 1.6 MB object
 * literal in JavaScript) costs ~260 ms of every cold start; JSON.parse of the same table costs ~60 ms.
 * The build writes the JSON (`scripts/eld-table.ts` → `dist/eld/small.json`, stamped with eld's
 * version); where it is missing or from another eld version (running from `src/` under vitest, a stale
 * build) eld's own entry is used, so the answers are eld's either way.
 */
export interface Eld {
  detect(text: string): { getScores(): Record<string, number> };
}

export interface EldTableFile {
  eldVersion: string;
  ngramsData: unknown;
}

/** Where the build puts the table, relative to this module in `dist/src/language/`. */
export const BUILT_TABLE = fileURLToPath(new URL('../../eld/small.json', import.meta.url));

/** eld's internal entry points: they are not in its `exports` map, so they are reached by path. */
function eldFile(rel: string): string {
  return fileURLToPath(new URL(rel, import.meta.resolve('eld/small')));
}

export async function eldVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(eldFile('../../package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The table as eld's own entry holds it (for the build script and the equality test). */
export async function eldSmallTable(): Promise<unknown> {
  const mod = (await import(eldFile('../ngrams/small.js'))) as { ngramsData: unknown };
  return mod.ngramsData;
}

/** An eld detector over the JSON table at `path`, or null when that file is absent or stale. */
export async function eldFromJson(path: string): Promise<Eld | null> {
  let file: EldTableFile;
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as EldTableFile;
  } catch {
    return null;
  }
  if (file.eldVersion !== (await eldVersion())) return null;
  const { createEld } = (await import(eldFile('../languageDetector.js'))) as {
    createEld(): { instance: Eld; loadData(data: unknown): string | undefined };
  };
  const { instance, loadData } = createEld();
  if (!loadData(file.ngramsData)) return null;
  return instance;
}

let eldPromise: Promise<Eld> | null = null;

/** One eld per process (read-only once loaded): the built JSON table when usable, else `eld/small`. */
export function loadEld(): Promise<Eld> {
  eldPromise ??= (async () => (await eldFromJson(BUILT_TABLE)) ?? ((await import('eld/small')).eld as Eld))();
  return eldPromise;
}
