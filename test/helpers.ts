import { readFileSync } from 'node:fs';
import { compileSchema, type ValidateFn } from '../src/schema-validate.js';

const load = (name: string) => JSON.parse(readFileSync(new URL(`../schema/${name}.schema.json`, import.meta.url), 'utf8'));

export const validateResult: ValidateFn = compileSchema(load('result'));
export const validateError: ValidateFn = compileSchema(load('error'));
export const validateInput: ValidateFn = compileSchema(load('input'));

/** Asserts an output line is a valid result or error record; returns which. */
export function checkOutput(rec: unknown): 'result' | 'error' {
  const isError = typeof rec === 'object' && rec !== null && 'error' in rec;
  const v = isError ? validateError : validateResult;
  if (!v(rec)) throw new Error(`schema: ${JSON.stringify(v.errors?.slice(0, 3))} in ${JSON.stringify(rec).slice(0, 300)}`);
  return isError ? 'error' : 'result';
}

export function readJsonl(path: string | URL): unknown[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}
