/**
 * `raqib serve`: the HTTP service over the same scorer as the CLI (Fastify).
 *
 *   POST /v1/moderations   OpenAI moderation shape in and out, raqib's six categories + evidence
 *   POST /v1/score         one NFT record or an array → `raqib score` objects, same order
 *   GET  /healthz /readyz  liveness; readiness once the scorer is loaded
 *   GET  /metrics          Prometheus text
 *   GET  /openapi.json     OpenAPI 3.1
 *
 * Safe by default: 127.0.0.1, optional bearer token (RAQIB_API_TOKEN), body and array limits,
 * a per-request timeout, schema validation with errors that name the field, graceful close.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { packageRoot } from '../paths.js';
import type { ScorerOptions } from '../scorer.js';
import type { OutputRecord } from '../types.js';
import { createBackend, NotReadyError, type ScoreBackend } from './backend.js';
import { Metrics } from './metrics.js';
import { toModerationResult, type ModerationResponse } from './moderation.js';
import { buildOpenApi } from './openapi.js';
import { moderationRequestSchema, scoreRequestSchema } from './schemas.js';

export interface ServeOptions {
  /** default 127.0.0.1 (loopback only) */
  host?: string;
  /** default 8080; 0 picks a free port */
  port?: number;
  /**
   * 0 (default): score in the server thread; N: a pool of N worker threads. On 2 cores a pool did
   * not lower single-record latency at 200 requests/s (p50 +0.3 ms for the hand-off, p99 the same
   * within noise) but raised maximum throughput by about 30 % (npm run bench:serve).
   */
  workers?: number;
  /** bearer token; undefined reads RAQIB_API_TOKEN; null or '' turns auth off */
  token?: string | null;
  /** request body limit in bytes (default 1 MiB) */
  bodyLimit?: number;
  /** most records / inputs in one request (default 256) */
  maxItems?: number;
  /** per-request timeout in ms (default 10 s) → 503 timeout */
  timeoutMs?: number;
  /** the scorer's options, as for `raqib score` (lexicons, config, threshold, fields) */
  scorer?: ScorerOptions;
  logger?: FastifyServerOptions['logger'];
  /** a ready-made backend (tests); otherwise one is created from `workers` and `scorer` */
  backend?: ScoreBackend;
}

export const DEFAULTS = { host: '127.0.0.1', port: 8080, workers: 0, bodyLimit: 1024 * 1024, maxItems: 256, timeoutMs: 10_000 } as const;

export interface RaqibServer {
  app: FastifyInstance;
  backend: ScoreBackend;
  metrics: Metrics;
  /** stop accepting requests, finish the ones in flight, stop the scorer threads */
  close(): Promise<void>;
  readonly closing: boolean;
}

interface ApiError {
  status: number;
  code: string;
  message: string;
  field?: string;
}

class HttpError extends Error {
  constructor(readonly api: ApiError) {
    super(api.message);
  }
}

/** Routes anyone may call even when a token is set (orchestrator probes). */
const OPEN_ROUTES = new Set(['/healthz', '/readyz']);

export function buildServer(options: ServeOptions = {}): RaqibServer {
  const bodyLimit = options.bodyLimit ?? DEFAULTS.bodyLimit;
  const maxItems = options.maxItems ?? DEFAULTS.maxItems;
  const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
  const token = options.token === undefined ? process.env.RAQIB_API_TOKEN || null : options.token || null;
  const tokenDigest = token ? sha256(token) : null;
  const backend = options.backend ?? createBackend(options.workers ?? DEFAULTS.workers, options.scorer);
  let failure: string | null = null;
  backend.whenReady.catch((e: Error) => {
    failure = e.message;
  });
  let closing = false;

  const metrics = new Metrics(() => ({
    raqib_ready: { help: '1 when the scorer is loaded and the server accepts scoring requests.', value: backend.isReady() && !closing ? 1 : 0 },
    raqib_scoring_threads: { help: 'Threads that score (1 in-process, N with --workers N).', value: backend.threads },
  }));

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit,
    // time to receive a whole request from a client (slow-loris guard), independent of scoring time
    requestTimeout: Math.max(30_000, timeoutMs),
    return503OnClosing: false, // answered below in raqib's error shape
    forceCloseConnections: 'idle',
    ajv: { customOptions: { coerceTypes: false, allErrors: false, verbose: true, allowUnionTypes: true } },
  });
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (req, reply) => {
    metrics.requestStarted();
    if (closing) {
      reply.header('connection', 'close');
      throw new HttpError({ status: 503, code: 'shutting_down', message: 'the server is shutting down' });
    }
    if (tokenDigest && !OPEN_ROUTES.has(req.routeOptions.url ?? '')) {
      const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(req.headers.authorization ?? '');
      if (!m || !timingSafeEqual(sha256(m[1]), tokenDigest)) {
        reply.header('www-authenticate', 'Bearer realm="raqib"');
        throw new HttpError({ status: 401, code: 'unauthorized', message: m ? 'wrong bearer token' : 'this server needs an Authorization: Bearer <token> header' });
      }
    }
  });

  // a response finished while closing ends its connection, so a keep-alive client does not hold
  // the close open until its idle timeout
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  app.addHook('onResponse', async (req, reply) => {
    metrics.requestDone(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    const e = toApiError(err, maxItems, bodyLimit);
    if (e.status >= 500 && e.code === 'internal_error') req.log.error(err);
    if (e.code === 'not_ready' || e.code === 'timeout') reply.header('retry-after', '1');
    const error: { code: string; message: string; field?: string } = { code: e.code, message: e.message };
    if (e.field !== undefined) error.field = e.field;
    return reply.code(e.status).send({ error });
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}; see /openapi.json` } });
  });

  /**
   * Scores with a deadline: at `timeoutMs` the request is answered 503 and the scoring is told to
   * stop (the in-process scorer checks between slices; queued pool tasks are dropped, a running slice
   * finishes). A client hang-up cancels the same way. (Fastify's own handlerTimeout/request.signal
   * are not used: in Fastify 5.12 they abort as soon as a POST body has been read, fastify#6725.)
   */
  async function score(endpoint: string, records: unknown[], reply: FastifyReply): Promise<OutputRecord[]> {
    if (!backend.isReady()) throw failure ? new HttpError({ status: 503, code: 'not_ready', message: `the scorer failed to load: ${failure}` }) : new NotReadyError();
    const ac = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const e = new HttpError({ status: 503, code: 'timeout', message: `the request took longer than ${timeoutMs} ms; send fewer records per request or retry` });
        ac.abort(e);
        reject(e);
      }, timeoutMs);
    });
    const onClose = () => {
      // nobody will read this answer (499, as nginx logs it); it keeps a hang-up out of the error log
      if (!reply.raw.writableFinished) ac.abort(new HttpError({ status: 499, code: 'client_closed', message: 'the client closed the connection' }));
    };
    reply.raw.once('close', onClose);
    try {
      const out = await Promise.race([backend.score(records, { source: 'request', signal: ac.signal }), expired]);
      for (const r of out) metrics.scored(endpoint, r);
      return out;
    } finally {
      clearTimeout(timer);
      expired.catch(() => {});
      reply.raw.off('close', onClose);
    }
  }

  app.post('/v1/moderations', { schema: { body: moderationRequestSchema(maxItems) } }, async (req, reply) => {
    const body = req.body as { input: string | string[] };
    const inputs = typeof body.input === 'string' ? [body.input] : body.input;
    const out = await score('moderations', inputs.map((text) => ({ text })), reply);
    const model = backend.model()?.name ?? `raqib-lexicon-${backend.version()?.raqib ?? 'unknown'}`;
    const res: ModerationResponse = { id: `modr-${randomUUID().replace(/-/g, '')}`, model, results: out.map((r, i) => toModerationResult(inputs[i], r)) };
    return res;
  });

  app.post('/v1/score', { schema: { body: scoreRequestSchema(maxItems) } }, async (req, reply) => {
    const body = req.body as unknown;
    const many = Array.isArray(body);
    const out = await score('score', many ? body : [body], reply);
    return many ? out : out[0];
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const status = closing ? 'shutting_down' : failure ? 'failed' : backend.isReady() ? 'ready' : 'loading';
    const body: Record<string, unknown> = { status, backend: backend.kind, threads: backend.threads, version: backend.version(), model: backend.model() };
    if (failure) body.error = failure;
    return reply.code(status === 'ready' ? 200 : 503).send(body);
  });

  app.get('/metrics', async (_req, reply) => reply.type('text/plain; version=0.0.4; charset=utf-8').send(metrics.render()));

  let openapi: unknown = null;
  app.get('/openapi.json', async () => {
    openapi ??= buildOpenApi({ version: backend.version()?.raqib ?? packageVersion(), maxItems, bodyLimit, timeoutMs, auth: tokenDigest !== null });
    return openapi;
  });

  let closed: Promise<void> | null = null;
  return {
    app,
    backend,
    metrics,
    get closing() {
      return closing;
    },
    close() {
      closing = true;
      closed ??= app.close().then(() => backend.close());
      return closed;
    },
  };
}

/** Listens (default 127.0.0.1:8080) and returns the server with its base URL. */
export async function startServer(options: ServeOptions = {}): Promise<RaqibServer & { url: string }> {
  const server = buildServer(options);
  await server.app.listen({ host: options.host ?? DEFAULTS.host, port: options.port ?? DEFAULTS.port });
  const addr = server.app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('raqib serve: no TCP address');
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return Object.assign(server, { url: `http://${host}:${addr.port}` });
}

function toApiError(err: FastifyError & { validation?: ValidationIssue[] }, maxItems: number, bodyLimit: number): ApiError {
  if (err instanceof HttpError) return err.api;
  if (err instanceof NotReadyError) return { status: 503, code: 'not_ready', message: err.message };
  if (err.validation?.length) return validationError(err.validation[0], maxItems);
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'body_too_large', message: `the request body is larger than ${bodyLimit} bytes; send fewer or smaller records per request` };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'unsupported_media_type', message: 'send the body as JSON with Content-Type: application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'empty_body', message: 'the request body is empty; send a JSON body' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: 'malformed_json', message: `the body is not valid JSON: ${err.message}` };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'invalid_request', message: 'the Content-Length header does not match the body' };
  }
  if (err instanceof SyntaxError || (err.statusCode === 400 && /JSON|prototype|constructor/i.test(err.message))) {
    return { status: 400, code: 'malformed_json', message: `the body is not valid JSON: ${err.message}` };
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return { status, code: 'invalid_request', message: err.message };
  return { status: 500, code: 'internal_error', message: 'internal error' };
}

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  data?: unknown;
}

function validationError(e: ValidationIssue, maxItems: number): ApiError {
  const path = pointerToPath(e.instancePath);
  const where = path || 'the body';
  switch (e.keyword) {
    case 'required': {
      const field = path ? `${path}.${String(e.params.missingProperty)}` : String(e.params.missingProperty);
      return { status: 400, code: 'invalid_request', field, message: `${field} is required` };
    }
    case 'maxItems': {
      const n = Array.isArray(e.data) ? e.data.length : undefined;
      return { status: 413, code: 'too_many_items', field: path || undefined, message: `${where} has ${n ?? 'too many'} items; at most ${maxItems} are allowed per request` };
    }
    case 'minItems':
      return { status: 400, code: 'invalid_request', field: path || undefined, message: `${where} must not be an empty array` };
    case 'type': {
      const want = ([] as unknown[]).concat(e.params.type).map(String);
      const names = want.map((t) => (t === 'object' && !path ? 'an object (one record)' : t === 'array' && !path ? 'an array of records' : `${/^[aeiou]/.test(t) ? 'an' : 'a'} ${t}`));
      return { status: 400, code: 'invalid_request', field: path || undefined, message: `${where} must be ${names.join(' or ')}, not ${kindOf(e.data)}` };
    }
  }
  return { status: 400, code: 'invalid_request', field: path || undefined, message: `${where} ${e.message ?? 'is invalid'}` };
}

/** `/input/3` → `input[3]`; `/a/b` → `a.b` */
function pointerToPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : out ? `.${seg}` : seg;
  }
  return out;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  return `a ${typeof v}`;
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
