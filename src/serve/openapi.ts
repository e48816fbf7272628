/**
 * The OpenAPI 3.1 document served at /openapi.json. Records and results reuse raqib's own JSON
 * Schemas (schema/*.schema.json, draft 2020-12, which OpenAPI 3.1 schemas are): their `$defs` are
 * hoisted into components and their `$ref`s rewritten, so the document stands alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { moderationRequestSchema } from './schemas.js';

export interface OpenApiOptions {
  version: string;
  maxItems: number;
  bodyLimit: number;
  timeoutMs: number;
  /** whether bearer-token auth is on (documents the security requirement) */
  auth: boolean;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const capital = (s: string) => s[0].toUpperCase() + s.slice(1);

/** Loads schema/<file>, drops $schema/$id, moves its $defs into `defs` and rewrites refs to them. */
function importSchema(file: string, defs: Record<string, Json>): Obj {
  const schema = JSON.parse(readFileSync(join(packageRoot(), 'schema', file), 'utf8')) as Obj;
  const local = (schema.$defs ?? {}) as Obj;
  delete schema.$schema;
  delete schema.$id;
  delete schema.$defs;
  const rewrite = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(rewrite);
    if (v && typeof v === 'object') {
      const o: Obj = {};
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string' && x.startsWith('#/$defs/')) o[k] = `#/components/schemas/${capital(x.slice('#/$defs/'.length))}`;
        else o[k] = rewrite(x);
      }
      return o;
    }
    return v;
  };
  for (const [name, def] of Object.entries(local)) defs[capital(name)] = rewrite(def);
  return rewrite(schema) as Obj;
}

export function buildOpenApi(o: OpenApiOptions): Record<string, unknown> {
  const schemas: Record<string, Json> = {};
  schemas.InputRecord = importSchema('input.schema.json', schemas);
  schemas.ScoreResult = importSchema('result.schema.json', schemas);
  schemas.ErrorRecord = importSchema('error.schema.json', schemas);
  schemas.ScoreOutput = { description: 'A scored record, or an error record in its place.', oneOf: [ref('ScoreResult'), ref('ErrorRecord')] };
  schemas.ScoreRequest = {
    description: `One NFT record, or an array of 1–${o.maxItems} records (answered in the same order). Elements that are not scoreable records get an error record in their place rather than failing the request.`,
    oneOf: [ref('InputRecord'), { type: 'array', minItems: 1, maxItems: o.maxItems, items: ref('InputRecord') }],
  };
  schemas.ScoreResponse = {
    description: 'An object for an object request, an array (same length and order) for an array request.',
    oneOf: [ref('ScoreOutput'), { type: 'array', items: ref('ScoreOutput') }],
  };
  schemas.ModerationRequest = moderationRequestSchema(o.maxItems) as unknown as Json;
  const categories = ['glorification', 'recruitment', 'fundraising', 'instructional', 'branding', 'threat'];
  schemas.LanguageSpan = {
    type: 'object',
    required: ['lang', 'script', 'start', 'end'],
    additionalProperties: false,
    properties: {
      lang: { type: 'string', description: 'ISO 639-1 code (639-3 where none); `und` for no language' },
      script: { type: 'string', description: 'ISO 15924 script' },
      start: { type: 'integer', minimum: 0, description: 'UTF-16 offset into the input string' },
      end: { type: 'integer', minimum: 0, description: 'end-exclusive' },
    },
  };
  schemas.ModerationResult = {
    type: 'object',
    required: ['flagged', 'categories', 'category_scores', 'decision', 'evidence', 'language', 'languages'],
    additionalProperties: false,
    properties: {
      flagged: { type: 'boolean', description: 'true when raqib would send the text to review or block it' },
      categories: {
        type: 'object',
        required: categories,
        additionalProperties: false,
        properties: Object.fromEntries(categories.map((c) => [c, { type: 'boolean' }])),
      },
      category_scores: {
        type: 'object',
        required: categories,
        additionalProperties: false,
        properties: Object.fromEntries(categories.map((c) => [c, { type: 'number', minimum: 0, maximum: 1 }])),
      },
      decision: { enum: ['allow', 'review', 'block'] },
      evidence: { type: 'array', items: ref('Evidence'), description: 'raqib evidence; `field` is always `text`, offsets index the input string' },
      language: {
        type: 'object',
        required: ['lang', 'script', 'confidence'],
        additionalProperties: false,
        properties: { lang: { type: 'string' }, script: { type: 'string' }, confidence: { type: 'number', minimum: 0, maximum: 1 } },
      },
      languages: { type: 'array', items: ref('LanguageSpan') },
    },
  };
  schemas.ModerationResponse = {
    type: 'object',
    required: ['id', 'model', 'results'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', description: 'modr-<hex>, unique per request' },
      model: { type: 'string', description: 'raqib-lexicon-<version>, or the local model that scored' },
      results: { type: 'array', items: ref('ModerationResult'), description: 'one per input, in order' },
    },
  };
  schemas.ApiError = {
    type: 'object',
    required: ['error'],
    additionalProperties: false,
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        additionalProperties: false,
        properties: {
          code: {
            type: 'string',
            description: 'invalid_request, malformed_json, empty_body, too_many_items, body_too_large, unsupported_media_type, unauthorized, not_found, not_ready, timeout, shutting_down, internal_error',
          },
          message: { type: 'string' },
          field: { type: 'string', description: 'the offending request field, e.g. `input[3]`' },
        },
      },
    },
  };
  schemas.Health = { type: 'object', required: ['status'], properties: { status: { type: 'string' } } };
  schemas.Ready = {
    type: 'object',
    required: ['status'],
    properties: {
      status: { enum: ['ready', 'loading', 'failed', 'shutting_down'] },
      backend: { enum: ['in-process', 'pool'] },
      threads: { type: 'integer' },
      version: { type: ['object', 'null'], description: 'the loaded scorer: raqib version, lexicon digest, config version' },
      model: { type: ['object', 'null'], description: 'the model scoring with the lexicons ({name, sha256}), or null for lexicons only' },
      error: { type: 'string', description: 'why loading failed' },
    },
  };

  const json = (schema: Json, description: string) => ({ description, content: { 'application/json': { schema } } });
  const err = (description: string) => json(ref('ApiError'), description);
  const common = {
    '400': err('Malformed JSON, or the body fails validation (`error.field` names the field)'),
    '401': err('Missing or wrong bearer token (only when the server has RAQIB_API_TOKEN set)'),
    '413': err(`Body larger than ${o.bodyLimit} bytes (body_too_large), or more than ${o.maxItems} items (too_many_items)`),
    '415': err('Content-Type is not application/json'),
    '503': err(`Scorer still loading (not_ready), request took longer than ${o.timeoutMs} ms (timeout), or the server is shutting down`),
  };
  const secured = o.auth ? { security: [{ bearerAuth: [] }] } : {};
  const open = { security: [] };

  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'raqib',
      version: o.version,
      description: 'Scores NFT metadata (and plain texts) for violent-extremist propaganda, offline, with evidence. Bind address 127.0.0.1 unless told otherwise; when RAQIB_API_TOKEN is set every route except /healthz and /readyz needs `Authorization: Bearer <token>`.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    ...secured,
    paths: {
      '/v1/moderations': {
        post: {
          operationId: 'createModeration',
          summary: 'OpenAI-compatible moderation of one or more texts',
          requestBody: { required: true, content: { 'application/json': { schema: ref('ModerationRequest'), example: { input: ['Golden Fox #12', 'الدولة الإسلامية باقية وتتمدد'] } } } },
          responses: { '200': json(ref('ModerationResponse'), 'One result per input, in order'), ...common },
        },
      },
      '/v1/score': {
        post: {
          operationId: 'score',
          summary: 'Score NFT records exactly as `raqib score` does',
          requestBody: { required: true, content: { 'application/json': { schema: ref('ScoreRequest'), example: { id: 'token-1', name: 'Golden Fox', description: 'A hand-drawn fox.' } } } },
          responses: { '200': json(ref('ScoreResponse'), 'Results (or error records in place), in request order'), ...common },
        },
      },
      '/healthz': { get: { operationId: 'health', summary: 'Liveness: the process answers', ...open, responses: { '200': json(ref('Health'), 'alive') } } },
      '/readyz': {
        get: {
          operationId: 'ready',
          summary: 'Readiness: the scorer (lexicons, language models) is loaded in every thread',
          ...open,
          responses: { '200': json(ref('Ready'), 'ready'), '503': json(ref('Ready'), 'loading, failed or shutting down') },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          summary: 'Prometheus metrics (text exposition format 0.0.4)',
          responses: { '200': { description: 'metrics', content: { 'text/plain': { schema: { type: 'string' } } } }, '401': common['401'] },
        },
      },
      '/openapi.json': {
        get: { operationId: 'openapi', summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } }, '401': common['401'] } },
      },
    },
    components: {
      schemas,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'The value of RAQIB_API_TOKEN on the server' } },
    },
  };
}
