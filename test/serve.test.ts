import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScorer, type Scorer } from '../src/scorer.js';
import { InProcessBackend, type ScoreBackend, type ScoreCall } from '../src/serve/backend.js';
import { startServer, type RaqibServer, type ServeOptions } from '../src/serve/app.js';
import type { OutputRecord, ScoreResult } from '../src/types.js';
import { checkOutput, readJsonl } from './helpers.js';

/**
 * `raqib serve` end to end: real servers on free loopback ports (port 0), real HTTP with fetch.
 * The worker-pool and SIGTERM cases run the build (dist/), which `npm test` makes first.
 */

const root = new URL('..', import.meta.url).pathname;
const SLOGAN = 'الدولة الإسلامية باقية وتتمدد'; // synthetic test string: IS's slogan, branding
const BENIGN = 'Golden Fox #12, a hand-drawn portrait at sunset';
const CATEGORIES = ['glorification', 'recruitment', 'fundraising', 'instructional', 'branding', 'threat'];
const samples = readJsonl(new URL('../data/samples/nft-sample.jsonl', import.meta.url)) as Array<Record<string, unknown>>;

type Server = RaqibServer & { url: string };
const servers: Server[] = [];
async function serve(options: ServeOptions = {}): Promise<Server> {
  // these tests are about the HTTP layer: the lexicon scorer keeps their expectations exact
  // (the model's behaviour is tested in model.test.ts and measured in EVALUATION.md)
  const s = await startServer({ host: '127.0.0.1', port: 0, token: null, ...options, scorer: { model: false, ...options.scorer } });
  servers.push(s);
  await s.backend.whenReady;
  return s;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url, { headers });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** A real scorer behind a delay (to hold requests in flight) and a controllable readiness. */
class SlowBackend implements ScoreBackend {
  readonly kind = 'in-process' as const;
  readonly threads = 1;
  readonly whenReady: Promise<void>;
  private ready = false;
  started = 0;
  constructor(private readonly inner: InProcessBackend, private readonly delayMs: number, gate: Promise<void> = Promise.resolve()) {
    this.whenReady = Promise.all([inner.whenReady, gate]).then(() => {
      this.ready = true;
    });
  }
  isReady() {
    return this.ready;
  }
  version() {
    return this.inner.version();
  }
  model() {
    return this.inner.model();
  }
  async score(records: unknown[], call: ScoreCall): Promise<OutputRecord[]> {
    this.started++;
    await sleep(this.delayMs, undefined, { signal: call.signal });
    return this.inner.score(records, call);
  }
  async close() {}
}

let A: Server; // auth off, defaults
let scorer: Scorer;
beforeAll(async () => {
  [A, scorer] = await Promise.all([serve(), createScorer({ model: false })]);
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('health, readiness, documents', () => {
  it('binds to 127.0.0.1 and answers /healthz and /readyz', async () => {
    expect(new URL(A.url).hostname).toBe('127.0.0.1');
    const h = await get(`${A.url}/healthz`);
    expect(h.status).toBe(200);
    expect(JSON.parse(h.text)).toEqual({ status: 'ok' });
    const r = await get(`${A.url}/readyz`);
    expect(r.status).toBe(200);
    const body = JSON.parse(r.text);
    expect(body).toMatchObject({ status: 'ready', backend: 'in-process', threads: 1 });
    expect(body.version).toEqual(scorer.version);
  });

  it('is not ready until the scorer is loaded: /readyz 503, scoring 503 not_ready with Retry-After', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const s = await startServer({ port: 0, token: null, backend: new SlowBackend(new InProcessBackend(), 0, gate) });
    servers.push(s);
    const r = await get(`${s.url}/readyz`);
    expect(r.status).toBe(503);
    expect(JSON.parse(r.text).status).toBe('loading');
    expect((await get(`${s.url}/healthz`)).status).toBe(200);
    const p = await post(`${s.url}/v1/score`, { name: BENIGN });
    expect(p.status).toBe(503);
    expect(p.body.error.code).toBe('not_ready');
    expect(p.headers.get('retry-after')).toBe('1');
    open();
    await s.backend.whenReady;
    expect((await get(`${s.url}/readyz`)).status).toBe(200);
    expect((await post(`${s.url}/v1/score`, { name: BENIGN })).status).toBe(200);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const r = await get(`${A.url}/v2/nothing`);
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text).error.code).toBe('not_found');
  });
});

describe('OpenAPI document', () => {
  let doc: any;
  let validate: (name: string, value: unknown) => void;
  beforeAll(async () => {
    const r = await get(`${A.url}/openapi.json`);
    expect(r.status).toBe(200);
    doc = JSON.parse(r.text);
    validate = openApiValidator(doc);
  });

  it('is OpenAPI 3.1 with every route, and every $ref resolves', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/healthz', '/metrics', '/openapi.json', '/readyz', '/v1/moderations', '/v1/score']);
    expect(doc.paths['/v1/moderations'].post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/ModerationRequest');
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      const path = ref.slice('"$ref":"'.length, -1);
      expect(path.startsWith('#/')).toBe(true);
      const target = path.slice(2).split('/').reduce((o: any, k) => o?.[k], doc);
      expect(target, path).toBeTruthy();
    }
    // raqib's own schemas are reused, not retyped
    expect(doc.components.schemas.ScoreResult.required).toContain('evidence');
    expect(doc.components.schemas.Evidence).toBeTruthy();
  });

  it('describes what the server answers (responses validate against the document)', async () => {
    const m = await post(`${A.url}/v1/moderations`, { input: [SLOGAN, BENIGN, ''] });
    validate('ModerationResponse', m.body);
    const s = await post(`${A.url}/v1/score`, [samples[0], 42, { id: 'empty', image: 'ipfs://x' }]);
    validate('ScoreResponse', s.body);
    for (const o of s.body) validate('ScoreOutput', o);
    const e = await post(`${A.url}/v1/moderations`, { input: 3 });
    validate('ApiError', e.body);
    validate('Ready', JSON.parse((await get(`${A.url}/readyz`)).text));
    validate('InputRecord', samples[0]);
  });
});

describe('POST /v1/moderations (OpenAI shape)', () => {
  it('answers {id, model, results[]} with raqib categories, scores, evidence and languages', async () => {
    const r = await post(`${A.url}/v1/moderations`, { input: SLOGAN, model: 'omni-moderation-latest' });
    expect(r.status).toBe(200);
    expect(r.body.id).toMatch(/^modr-[0-9a-f]{32}$/);
    expect(r.body.model).toMatch(/^raqib-/);
    expect(r.body.results).toHaveLength(1);
    const res = r.body.results[0];
    expect(Object.keys(res.categories).sort()).toEqual([...CATEGORIES].sort());
    expect(Object.keys(res.category_scores).sort()).toEqual([...CATEGORIES].sort());
    expect(res.flagged).toBe(true);
    expect(res.categories.branding).toBe(true);
    expect(res.category_scores.branding).toBeGreaterThan(0.5);
    expect(res.evidence.length).toBeGreaterThan(0);
    for (const e of res.evidence) {
      expect(e.field).toBe('text');
      expect(SLOGAN.slice(e.start, e.end)).toBe(e.text);
    }
    expect(res.language.lang).toBe('ar');
    expect(res.languages).toEqual([{ lang: 'ar', script: 'Arab', start: 0, end: SLOGAN.length }]);
  });

  it('with the shipped model in a thread of its own (--model-thread), answers as the library does', async () => {
    const s = await serve({ scorer: { model: undefined, modelThread: true } });
    const lib = await createScorer();
    try {
      const texts = samples.slice(0, 6).map((r) => String(r.description ?? r.name));
      const res = await post(`${s.url}/v1/score`, texts.map((text) => ({ text })));
      expect(res.status).toBe(200);
      for (const [i, text] of texts.entries()) expect(res.body[i].score).toBe(((await lib.score({ text })) as ScoreResult).score);
      expect(res.body[0].model.name).toBe('raqib-small');
    } finally {
      await lib.close();
    }
  });

  it('gives the same scores as the library for {text: input}', async () => {
    const r = await post(`${A.url}/v1/moderations`, { input: [SLOGAN] });
    const lib = await scorer.score({ text: SLOGAN });
    if ('error' in lib) throw new Error('unexpected error record');
    expect(r.body.results[0].category_scores).toEqual(lib.category_scores);
    expect(r.body.results[0].evidence).toEqual(lib.evidence);
  });

  it('keeps input order for an array, and answers an empty string as not flagged', async () => {
    const inputs = [BENIGN, SLOGAN, '', 'Ramadan lanterns', SLOGAN, 'hello مرحبا world'];
    const r = await post(`${A.url}/v1/moderations`, { input: inputs });
    expect(r.status).toBe(200);
    expect(r.body.results.map((x: any) => x.flagged)).toEqual([false, true, false, false, true, false]);
    r.body.results.forEach((x: any, i: number) => {
      for (const e of x.evidence) expect(inputs[i].slice(e.start, e.end)).toBe(e.text);
    });
    expect(r.body.results[2].languages).toEqual([]);
    const mixed = r.body.results[5];
    expect(mixed.languages.length).toBeGreaterThanOrEqual(1);
    for (const l of mixed.languages) expect(l.end).toBeGreaterThan(l.start);
  });
});

describe('POST /v1/score (raqib score objects)', () => {
  it('answers one record with one result, the same as the library', async () => {
    const r = await post(`${A.url}/v1/score`, samples[0]);
    expect(r.status).toBe(200);
    expect(checkOutput(r.body)).toBe('result');
    expect(r.body).toEqual(await scorer.score(samples[0], { source: 'request', line: 1 }));
    expect(r.body.flagged).toBe(true);
  });

  it('answers an array in the same order, with error records in place', async () => {
    const records: unknown[] = [
      ...Array.from({ length: 20 }, (_, i) => ({ id: `r-${19 - i}`, name: i % 5 === 0 ? SLOGAN : `${BENIGN} ${i}` })),
      42,
      { id: 'no-text', image: 'ipfs://x' },
      [1, 2],
      { description: 'no id here' },
      ...samples,
    ];
    const r = await post(`${A.url}/v1/score`, records);
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(records.length);
    for (const o of r.body) checkOutput(o);
    expect(r.body.slice(0, 20).map((o: any) => o.id)).toEqual(Array.from({ length: 20 }, (_, i) => `r-${19 - i}`));
    expect(r.body.slice(0, 20).map((o: any) => o.flagged)).toEqual(Array.from({ length: 20 }, (_, i) => i % 5 === 0));
    expect(r.body[20]).toMatchObject({ line: 21, error: { code: 'not_an_object' } });
    expect(r.body[21]).toMatchObject({ id: 'no-text', line: 22, error: { code: 'no_text' } });
    expect(r.body[22]).toMatchObject({ line: 23, error: { code: 'not_an_object' } });
    expect(r.body[23].id).toBe('request:24');
    expect(r.body.slice(24).map((o: any) => o.id)).toEqual(samples.map((s) => s.id));
    const lib = await scorer.scoreBatch(records.map((record, i) => ({ record, ctx: { source: 'request', line: i + 1 } })));
    expect(r.body).toEqual(lib);
  });
});

describe('validation and limits', () => {
  const cases: Array<[string, string, unknown, number, string, string | undefined, RegExp]> = [
    ['missing input', '/v1/moderations', { inputs: ['x'] }, 400, 'invalid_request', 'input', /input is required/],
    ['a number among the inputs', '/v1/moderations', { input: ['ok', 7] }, 400, 'invalid_request', 'input[1]', /input\[1\] must be a string/],
    ['input of the wrong type', '/v1/moderations', { input: { text: 'x' } }, 400, 'invalid_request', 'input', /input must be a string or an array, not an object/],
    ['an empty input array', '/v1/moderations', { input: [] }, 400, 'invalid_request', 'input', /must not be an empty array/],
    ['model of the wrong type', '/v1/moderations', { input: 'x', model: 4 }, 400, 'invalid_request', 'model', /model must be a string/],
    ['a string body for /v1/score', '/v1/score', '"just text"', 400, 'invalid_request', undefined, /body must be an object \(one record\) or an array of records, not a string/],
    ['an empty array for /v1/score', '/v1/score', [], 400, 'invalid_request', undefined, /must not be an empty array/],
    ['malformed JSON', '/v1/score', '{"name": ', 400, 'malformed_json', undefined, /not valid JSON/],
    ['a prototype-poisoning body', '/v1/score', '{"__proto__": {"x": 1}, "name": "a"}', 400, 'malformed_json', undefined, /JSON/],
    ['257 inputs', '/v1/moderations', { input: Array.from({ length: 257 }, () => 'x') }, 413, 'too_many_items', 'input', /257 items; at most 256/],
    ['257 records', '/v1/score', Array.from({ length: 257 }, () => ({ name: 'x' })), 413, 'too_many_items', undefined, /257 items; at most 256/],
    ['a body over 1 MiB', '/v1/moderations', { input: 'a'.repeat(1024 * 1024) }, 413, 'body_too_large', undefined, /larger than 1048576 bytes/],
  ];
  for (const [what, path, body, status, code, field, message] of cases) {
    it(`answers ${what} with ${status} ${code}`, async () => {
      const r = await post(`${A.url}${path}`, body);
      expect(r.status).toBe(status);
      expect(r.body.error.code).toBe(code);
      expect(r.body.error.field).toBe(field);
      expect(r.body.error.message).toMatch(message);
    });
  }

  it('wants JSON: text/plain is 415, an empty body 400', async () => {
    const t = await fetch(`${A.url}/v1/score`, { method: 'POST', body: '{"name":"x"}', headers: { 'content-type': 'text/plain' } });
    expect(t.status).toBe(415);
    expect(((await t.json()) as any).error.code).toBe('unsupported_media_type');
    const e = await fetch(`${A.url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    expect(e.status).toBe(400);
    expect(((await e.json()) as any).error.code).toBe('empty_body');
  });

  it('takes 256 records in one request', async () => {
    const r = await post(`${A.url}/v1/score`, Array.from({ length: 256 }, (_, i) => ({ id: `n${i}`, name: `${BENIGN} ${i}` })));
    expect(r.status).toBe(200);
    expect(r.body.map((o: any) => o.id)).toEqual(Array.from({ length: 256 }, (_, i) => `n${i}`));
  });

  it('honours smaller configured limits', async () => {
    const s = await serve({ maxItems: 3, bodyLimit: 4096 });
    expect((await post(`${s.url}/v1/moderations`, { input: ['a', 'b', 'c'] })).status).toBe(200);
    const many = await post(`${s.url}/v1/moderations`, { input: ['a', 'b', 'c', 'd'] });
    expect(many.status).toBe(413);
    expect(many.body.error.message).toMatch(/at most 3/);
    const big = await post(`${s.url}/v1/score`, { name: 'x'.repeat(5000) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('body_too_large');
  });

  it('answers 503 timeout when scoring takes longer than the per-request timeout', async () => {
    const slow = new SlowBackend(new InProcessBackend(), 2000);
    const s = await serve({ backend: slow, timeoutMs: 150 });
    const t0 = Date.now();
    const r = await post(`${s.url}/v1/score`, { name: BENIGN });
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('timeout');
    expect(r.headers.get('retry-after')).toBe('1');
    expect(Date.now() - t0).toBeLessThan(1500);
    // the server is still fine afterwards
    expect((await get(`${s.url}/healthz`)).status).toBe(200);
  });
});

describe('bearer-token auth', () => {
  let B: Server;
  beforeAll(async () => {
    B = await serve({ token: 'test-token-5c1f' });
  });

  it('needs the token on every route but /healthz and /readyz', async () => {
    for (const path of ['/healthz', '/readyz']) expect((await get(`${B.url}${path}`)).status).toBe(200);
    for (const path of ['/metrics', '/openapi.json', '/nowhere']) {
      const r = await get(`${B.url}${path}`);
      expect(r.status, path).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(JSON.parse(r.text).error.code).toBe('unauthorized');
    }
    for (const path of ['/v1/score', '/v1/moderations']) {
      const none = await post(`${B.url}${path}`, { input: 'x', name: 'x' });
      expect(none.status).toBe(401);
      expect(none.body.error.message).toMatch(/Authorization: Bearer/);
      const wrong = await post(`${B.url}${path}`, { input: 'x', name: 'x' }, { authorization: 'Bearer nope' });
      expect(wrong.status).toBe(401);
      const basic = await post(`${B.url}${path}`, { input: 'x', name: 'x' }, { authorization: 'Basic dGVzdC10b2tlbi01YzFm' });
      expect(basic.status).toBe(401);
    }
  });

  it('lets the right token through, and documents the requirement', async () => {
    const auth = { authorization: 'Bearer test-token-5c1f' };
    expect((await post(`${B.url}/v1/score`, { name: BENIGN }, auth)).status).toBe(200);
    expect((await post(`${B.url}/v1/moderations`, { input: BENIGN }, auth)).status).toBe(200);
    expect((await get(`${B.url}/metrics`, auth)).status).toBe(200);
    const doc = JSON.parse((await get(`${B.url}/openapi.json`, auth)).text);
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/healthz'].get.security).toEqual([]);
  });

  it('reads RAQIB_API_TOKEN when no token is given, and is off without it', async () => {
    const before = process.env.RAQIB_API_TOKEN;
    process.env.RAQIB_API_TOKEN = 'from-env-77';
    try {
      const s = await startServer({ port: 0, backend: new SlowBackend(new InProcessBackend(), 0) });
      servers.push(s);
      await s.backend.whenReady;
      expect((await get(`${s.url}/metrics`)).status).toBe(401);
      expect((await get(`${s.url}/metrics`, { authorization: 'Bearer from-env-77' })).status).toBe(200);
    } finally {
      if (before === undefined) delete process.env.RAQIB_API_TOKEN;
      else process.env.RAQIB_API_TOKEN = before;
    }
    expect((await get(`${A.url}/metrics`)).status).toBe(200);
  });
});

describe('GET /metrics', () => {
  it('counts requests by route and status, latency, and flagged records by category and language', async () => {
    const s = await serve();
    await post(`${s.url}/v1/moderations`, { input: [SLOGAN, BENIGN] });
    await post(`${s.url}/v1/moderations`, { input: SLOGAN });
    await post(`${s.url}/v1/moderations`, { input: 5 });
    await post(`${s.url}/v1/score`, [samples[0], 7]);
    await get(`${s.url}/missing`);
    const r = await get(`${s.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parseMetrics(r.text);
    expect(m['raqib_http_requests_total{method="POST",route="/v1/moderations",status="200"}']).toBe(2);
    expect(m['raqib_http_requests_total{method="POST",route="/v1/moderations",status="400"}']).toBe(1);
    expect(m['raqib_http_requests_total{method="POST",route="/v1/score",status="200"}']).toBe(1);
    expect(m['raqib_http_requests_total{method="GET",route="unmatched",status="404"}']).toBe(1);
    expect(m['raqib_http_request_duration_seconds_count{route="/v1/moderations"}']).toBe(3);
    expect(m['raqib_http_request_duration_seconds_bucket{route="/v1/moderations",le="+Inf"}']).toBe(3);
    expect(m['raqib_records_scored_total{endpoint="moderations",decision="allow"}']).toBe(1);
    expect(m['raqib_records_scored_total{endpoint="score",decision="error"}']).toBe(1);
    const flaggedModeration = 2; // the slogan, twice
    const sample = (await scorer.score(samples[0])) as { categories: Record<string, boolean>; fields: Record<string, { lang: string; score: number }> };
    for (const c of CATEGORIES) {
      const expected = (c === 'branding' ? flaggedModeration : 0) + (sample.categories[c] ? 1 : 0);
      expect(m[`raqib_flagged_total{category="${c}"}`] ?? 0, c).toBe(expected);
    }
    expect(m['raqib_flagged_by_language_total{lang="ar"}']).toBe(3);
    expect(m.raqib_ready).toBe(1);
    // buckets are cumulative
    const buckets = Object.entries(m).filter(([k]) => k.startsWith('raqib_http_request_duration_seconds_bucket{route="/v1/moderations"'));
    const counts = buckets.map(([, v]) => v);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
  });
});

describe('worker pool (--workers)', () => {
  it('gives the same results in the same order as the in-process scorer', async () => {
    expect(existsSync(`${root}dist/src/serve/worker.js`), 'run npm run build first').toBe(true);
    const P = await serve({ workers: 2 });
    const ready = JSON.parse((await get(`${P.url}/readyz`)).text);
    expect(ready).toMatchObject({ status: 'ready', backend: 'pool', threads: 2 });
    const records = [...Array.from({ length: 40 }, (_, i) => ({ id: `p${i}`, name: i % 3 ? `${BENIGN} ${i}` : SLOGAN })), 3, ...samples];
    const [pool, inproc] = await Promise.all([post(`${P.url}/v1/score`, records), post(`${A.url}/v1/score`, records)]);
    expect(pool.status).toBe(200);
    expect(pool.body).toEqual(inproc.body);
    const m = await post(`${P.url}/v1/moderations`, { input: [BENIGN, SLOGAN] });
    expect(m.body.results.map((x: any) => x.flagged)).toEqual([false, true]);
    // many requests at once queue for the two threads and each keeps its own order
    const batches = Array.from({ length: 24 }, (_, b) => Array.from({ length: 1 + (b % 20) }, (_, i) => ({ id: `b${b}-${i}`, name: `${BENIGN} ${b} ${i}` })));
    const answers = await Promise.all(batches.map((recs) => post(`${P.url}/v1/score`, recs)));
    answers.forEach((a, b) => {
      expect(a.status).toBe(200);
      expect(a.body.map((o: any) => o.id)).toEqual(batches[b].map((r) => r.id));
    });
  });
});

describe('graceful shutdown', () => {
  it('finishes a request in flight, then refuses new connections', async () => {
    const slow = new SlowBackend(new InProcessBackend(), 400);
    const s = await serve({ backend: slow });
    const inflight = post(`${s.url}/v1/score`, [samples[0], { id: 'x', name: BENIGN }]);
    while (slow.started === 0) await sleep(5);
    const closed = s.close();
    const r = await inflight;
    expect(r.status).toBe(200);
    expect(r.body.map((o: any) => o.id)).toEqual([samples[0].id, 'x']);
    await closed;
    await expect(fetch(`${s.url}/healthz`)).rejects.toThrow();
  });

  it('on SIGTERM (the CLI) finishes a request whose body is still arriving, then exits 0', async () => {
    const cli = `${root}dist/src/cli/serve.js`;
    expect(existsSync(cli), 'run npm run build first').toBe(true);
    const child = spawn(process.execPath, ['--input-type=module', '-e', `import(${JSON.stringify(cli)}).then(async (m) => { process.exitCode = await m.serveCommand(['--port', '0']); })`], {
      env: { ...process.env, RAQIB_API_TOKEN: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      while (!/ready \(raqib/.test(stderr)) {
        if (child.exitCode !== null) throw new Error(stderr);
        await sleep(20);
      }
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr)![1];
      const body = JSON.stringify(samples[0]);
      let push!: (s: string | null) => void;
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          push = (s) => (s === null ? controller.close() : controller.enqueue(new TextEncoder().encode(s)));
        },
      });
      const res = fetch(`${url}/v1/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
      push(body.slice(0, 10));
      await sleep(300);
      child.kill('SIGTERM');
      while (!/finishing in-flight/.test(stderr)) await sleep(10);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow(); // no longer accepting
      push(body.slice(10));
      push(null);
      const r = await res;
      expect(r.status).toBe(200);
      expect(checkOutput(await r.json())).toBe('result');
      expect(await exited).toBe(0);
      expect(stderr).toMatch(/closed/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

function parseMetrics(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out[line.slice(0, i)] = Number(line.slice(i + 1));
  }
  return out;
}

/** Validates values against components.schemas of the served document (JSON Schema 2020-12). */
function openApiValidator(doc: any): (name: string, value: unknown) => void {
  const Ajv2020 = createRequire(import.meta.url)('ajv/dist/2020').default;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  ajv.addSchema({ $id: 'https://raqib.local/openapi.json', components: doc.components });
  return (name, value) => {
    const v = ajv.getSchema(`https://raqib.local/openapi.json#/components/schemas/${name}`);
    if (!v) throw new Error(`no schema ${name}`);
    if (!v(value)) throw new Error(`${name}: ${JSON.stringify(v.errors?.slice(0, 3))} in ${JSON.stringify(value).slice(0, 300)}`);
  };
}
