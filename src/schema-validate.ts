import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// ajv ships CommonJS; its JSON Schema 2020-12 class is a separate entry point
const Ajv2020 = require('ajv/dist/2020').default as new (opts: object) => {
  compile(schema: object): ValidateFn;
  addSchema(schema: object): void;
};

export interface ValidateFn {
  (data: unknown): boolean;
  errors?: Array<{ instancePath: string; message?: string }> | null;
}

/** Compiles a JSON Schema (2020-12); `refs` are other schemas it may $ref by their $id. */
export function compileSchema(schema: object, refs: object[] = []): ValidateFn {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  for (const r of refs) ajv.addSchema(r);
  return ajv.compile(schema);
}
