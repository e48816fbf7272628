import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { characterErrorRate, cleanOcrText, ocrOptionsFromCli, ocrRecord, OcrEngine, withOcrText, type OcrRecordOptions } from '../src/ocr/index.js';
import { createScorer } from '../src/scorer.js';
import { isErrorRecord } from '../src/types.js';
import { checkOutput } from './helpers.js';
import { sanitizeSvg, sniffImage } from '../src/ocr/image.js';
import { editDistance } from '../src/ocr/text.js';

/**
 * Issue 7: OCR of NFT images, offline. Fixtures: test/fixtures/images (scripts/make-ocr-fixtures.py,
 * ground truth in manifest.json). One engine (one worker) is shared by the suite.
 */

const here = dirname(fileURLToPath(import.meta.url));
const repo = dirname(here);
const fixtures = join(here, 'fixtures', 'images');
const manifest = JSON.parse(readFileSync(join(fixtures, 'manifest.json'), 'utf8')) as {
  cards: Array<{ file: string; lang: string; text: string }>;
  svg: Array<{ file: string; lang: string; text: string }>;
};
const CID = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';
const BIDI = /[\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

// Mean character error rate per language on the clean committed fixtures, with the defaults
// (measured on this machine: ar 0 %, en 0 %, mixed 0 %, fa 8.9 %, ur 9.8 %: Persian read with Arabic letter forms
// on one Naskh card, and Nastaliq Urdu). The bounds leave room for tesseract/libvips version drift, not for a broken pipeline.
const CER_BOUND: Record<string, number> = { ar: 0.05, en: 0.05, mul: 0.05, fa: 0.15, ur: 0.2 };

let engine: OcrEngine;
let root: string; // the --image-root
let outside: string; // a directory beside it that must never be read
let opts: OcrRecordOptions;

beforeAll(async () => {
  engine = await OcrEngine.create();
  const base = mkdtempSync(join(tmpdir(), 'raqib-ocr-test-'));
  root = join(base, 'root');
  outside = join(base, 'outside');
  mkdirSync(join(root, 'cards'), { recursive: true });
  mkdirSync(join(root, 'ipfs', CID), { recursive: true });
  mkdirSync(outside);
  for (const c of [...manifest.cards, ...manifest.svg]) copyFileSync(join(fixtures, c.file), join(root, 'cards', c.file));
  copyFileSync(join(fixtures, 'en-serif.png'), join(root, 'ipfs', CID, 'card.png'));
  // a perfectly good image outside the root, reachable only through symlinks
  copyFileSync(join(fixtures, 'en-sans.png'), join(outside, 'secret.png'));
  symlinkSync(join(outside, 'secret.png'), join(root, 'cards', 'link-out.png'));
  symlinkSync(outside, join(root, 'linkdir'));
  symlinkSync(join(root, 'cards', 'en-serif.png'), join(root, 'cards', 'link-in.png'));
  opts = { engine, imageRoot: root, ipfsDir: join(root, 'ipfs') };
});

afterAll(async () => {
  await engine?.terminate();
  if (root) rmSync(dirname(root), { recursive: true, force: true });
});

const dataUri = (file: string, type = 'image/png') => `data:${type};base64,${readFileSync(join(fixtures, file)).toString('base64')}`;

describe('OCR accuracy on the committed fixtures', () => {
  it('keeps the character error rate per language under its bound', async () => {
    const per: Record<string, number[]> = {};
    for (const c of manifest.cards) {
      const r = await ocrRecord({ id: c.file, image: `cards/${c.file}` }, opts);
      expect(r.error, `${c.file}: ${JSON.stringify(r.error)}`).toBeUndefined();
      (per[c.lang] ??= []).push(characterErrorRate(c.text, r.text ?? ''));
    }
    const mean = Object.fromEntries(Object.entries(per).map(([l, v]) => [l, v.reduce((a, b) => a + b, 0) / v.length]));
    console.log(`[ocr] mean CER per language on the clean fixtures: ${JSON.stringify(Object.fromEntries(Object.entries(mean).map(([l, v]) => [l, Number(v.toFixed(3))])))}`);
    for (const [lang, bound] of Object.entries(CER_BOUND)) {
      expect(per[lang]?.length, `fixtures for ${lang}`).toBeGreaterThan(0);
      expect(mean[lang], `mean CER for ${lang}`).toBeLessThanOrEqual(bound);
    }
  });

  it('returns Arabic text without the U+200F/U+200E marks tesseract wraps it in, and reads a mixed card', async () => {
    const r = await ocrRecord({ image: 'cards/mixed-ar-en.png' }, opts);
    expect(r.text).toBeDefined();
    expect(BIDI.test(r.text!)).toBe(false);
    expect(r.text).toContain('أسود الخلافة');
    expect(r.text).toContain('Lions Series');
    expect(r.images?.[0]).toMatchObject({ field: 'image', method: 'ocr', source: 'file:cards/mixed-ar-en.png' });
  });

  it('cleans OCR text: bidi marks, blank and symbol-only lines, NFC', () => {
    expect(cleanOcrText('\u200Fأسود\u200E  الخلافة\u200F\n\n | — \nLions ')).toBe('أسود الخلافة\nLions');
    expect(characterErrorRate('abc', 'abc')).toBe(0);
    expect(characterErrorRate('abcd', 'abed')).toBe(0.25);
    expect(editDistance('كتاب', 'كتب')).toBe(1);
  });
});

describe('where images are read from', () => {
  it('reads a base64 data: URI', async () => {
    const r = await ocrRecord({ image: dataUri('en-serif.png') }, { engine });
    expect(characterErrorRate('Digital art collection\nLimited edition card 42', r.text ?? '')).toBeLessThanOrEqual(0.05);
    expect(r.images?.[0].source).toBe('data:');
  });

  it('reads ipfs:// from a local directory, also behind a gateway-style https link, without any network', async () => {
    const r = await ocrRecord({ image: `ipfs://${CID}/card.png` }, opts);
    expect(r.error).toBeUndefined();
    expect(r.text).toContain('Digital art collection');
    expect(r.images?.[0].source).toBe(`ipfs:${CID}/card.png`);
    const viaLink = await ocrRecord({ image_url: `https://some-gateway.example/ipfs/${CID}/card.png` }, opts);
    expect(viaLink.text).toContain('Digital art collection');
    const old = await ocrRecord({ image: `ipfs://ipfs/${CID}/card.png` }, opts);
    expect(old.text).toContain('Digital art collection');
  });

  it('reports an ipfs:// CID missing locally, and refuses ipfs:// and http(s) with neither directory nor gateway', async () => {
    expect((await ocrRecord({ image: `ipfs://${CID}/missing.png` }, opts)).error).toMatchObject({ code: 'image_not_found', field: 'image' });
    expect((await ocrRecord({ image: `ipfs://${CID}/card.png` }, { engine })).error).toMatchObject({ code: 'image_remote_refused', field: 'image' });
    expect((await ocrRecord({ image: 'https://example.com/card.png' }, opts)).error).toMatchObject({ code: 'image_remote_refused' });
    expect((await ocrRecord({ image: 'ar://abcdef' }, opts)).error).toMatchObject({ code: 'image_unsupported_ref' });
    expect((await ocrRecord({ image: 'data:text/html,<b>x</b>' }, opts)).error).toMatchObject({ code: 'image_unsupported_ref' });
  });

  it('reads SVG text nodes directly, and skips an SVG data: URI whose text the adapter already scores', async () => {
    const r = await ocrRecord({ image: 'cards/svg-card.svg' }, opts);
    expect(r.images?.[0].method).toBe('svg_text');
    expect(r.text).toBe('أسود الخلافة\nLions Series');
    expect(await ocrRecord({ image: dataUri('svg-card.svg', 'image/svg+xml') }, opts)).toEqual({});
  });

  it.skipIf(!existsSync('/usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf'))('renders an SVG with a real font and OCRs it (svg: render)', async () => {
    const r = await ocrRecord({ image: 'cards/svg-card.svg' }, { ...opts, svg: 'render' });
    expect(r.images?.[0].method).toBe('ocr');
    expect(characterErrorRate(manifest.svg[0].text, r.text ?? '')).toBeLessThanOrEqual(0.1);
  });

  it('reads image, image_url and animation_url; skips video animation_url; joins distinct texts', async () => {
    const r = await ocrRecord({ image: 'cards/en-serif.png', image_url: 'cards/en-serif.png', animation_url: 'cards/clip.mp4' }, opts);
    expect(r.images).toHaveLength(1);
    const two = await ocrRecord({ image: 'cards/en-serif.png', animation_url: 'cards/ar-kufi-dark.png' }, opts);
    expect(two.text).toContain('Digital art collection');
    expect(two.text).toContain('باقية وتتمدد');
    expect(await ocrRecord({ name: 'no image here' }, opts)).toEqual({});
    expect(await ocrRecord(null, opts)).toEqual({});
    expect(await ocrRecord({ image: 42 }, opts)).toEqual({});
  });
});

describe('feeding the scorer', () => {
  it('adds the OCR text as image_ocr and the scorer finds evidence in it, with offsets into the OCR text', async () => {
    const rec = { id: 'ocr-card', name: 'card 7', image: 'cards/ar-naskh.png', image_url: 'cards/bad-missing.png' };
    const { record, warnings } = await withOcrText(rec, opts);
    expect(rec).not.toHaveProperty('image_ocr');
    const ocrText = (record as Record<string, string>).image_ocr;
    expect(ocrText).toContain('أسود الخلافة');
    expect(warnings).toEqual([expect.objectContaining({ code: 'image_not_found', field: 'image_url' })]);
    const scorer = await createScorer({ model: false });
    try {
      const out = await scorer.score(record, { warnings });
      if (isErrorRecord(out)) throw new Error(JSON.stringify(out));
      checkOutput(out);
      const ev = out.evidence.filter((e) => e.field === 'image_ocr');
      expect(ev.length).toBeGreaterThan(0);
      for (const e of ev) expect(ocrText.slice(e.start, e.end)).toBe(e.text);
      expect(out.flagged).toBe(true);
      expect(out.warnings).toContainEqual(expect.objectContaining({ code: 'image_not_found', field: 'image_url' }));
    } finally {
      await scorer.close();
    }
  });

  it('appends to OCR text the record already carries, and checks CLI flags', async () => {
    const { record } = await withOcrText({ ocr_text: 'from the marketplace', image: 'cards/en-serif.png' }, opts);
    expect((record as Record<string, string>).ocr_text).toBe('from the marketplace\nDigital art collection\nLimited edition card 42');
    expect(ocrOptionsFromCli({ imageRoot: root, ipfsGateway: 'https://ipfs.io', workers: 2 })).toEqual({ imageRoot: root, ipfsGateway: 'https://ipfs.io/ipfs/', workers: 2 });
    expect(ocrOptionsFromCli({ ipfsGateway: join(root, 'ipfs') })).toEqual({ ipfsDir: join(root, 'ipfs') });
    expect(() => ocrOptionsFromCli({ imageRoot: join(root, 'nope') })).toThrow(/not a directory/);
    expect(() => ocrOptionsFromCli({ ipfsGateway: 'ftp://x' })).toThrow(/neither/);
  });
});

describe('metadata is untrusted: local paths', () => {
  const refused = async (ref: string, o: Partial<OcrRecordOptions> = {}) => (await ocrRecord({ image: ref }, { ...opts, ...o })).error?.code;

  it('refuses traversal, absolute paths and file: URLs outside the image root', async () => {
    for (const ref of ['../outside/secret.png', 'cards/../../outside/secret.png', '/etc/passwd', 'file:///etc/passwd', `${root}/../outside/secret.png`, 'cards/\0x.png']) {
      expect(await refused(ref), ref).toBe('image_path_refused');
    }
  });

  it('refuses symlinks that leave the root (file and directory), follows those that stay inside', async () => {
    expect(await refused('cards/link-out.png')).toBe('image_path_refused');
    expect(await refused('linkdir/secret.png')).toBe('image_path_refused');
    const inside = await ocrRecord({ image: 'cards/link-in.png' }, opts);
    expect(inside.text).toContain('Digital art collection');
    expect((await ocrRecord({ image: `${root}/cards/en-serif.png` }, opts)).text).toContain('Digital art collection');
  });

  it('refuses IPFS paths that try to climb out', async () => {
    expect(await refused(`ipfs://${CID}/../../outside/secret.png`)).toBe('image_path_refused');
    expect(await refused(`ipfs://${CID}/%2e%2e/%2e%2e/%2e%2e/outside/secret.png`)).toBe('image_path_refused');
    expect(await refused(`ipfs://${CID}/a%2fb.png`)).toBe('image_path_refused');
    expect(await refused('ipfs://../../etc/passwd')).toBe('image_unsupported_ref');
  });

  it('never reads a local file without an image root, nor a directory, FIFO or missing file', async () => {
    expect(await refused('cards/en-serif.png', { imageRoot: undefined })).toBe('image_root_required');
    expect(await refused('cards')).toBe('image_path_refused');
    expect(await refused('cards/nope.png')).toBe('image_not_found');
    execFileSync('mkfifo', [join(root, 'cards', 'fifo.png')]);
    expect(await refused('cards/fifo.png')).toBe('image_path_refused'); // would block forever if opened blocking
  });
});

describe('bad images become error objects, never crashes or hangs', () => {
  const codeOf = async (file: string, o: Partial<OcrRecordOptions> = {}) => {
    copyFileSync(join(fixtures, file), join(root, 'cards', file));
    const r = await ocrRecord({ image: `cards/${file}` }, { ...opts, ...o });
    expect(r.text).toBeUndefined();
    expect(r.error?.field).toBe('image');
    expect(r.error?.message.length).toBeGreaterThan(0);
    return r.error?.code;
  };

  it('refuses each bad fixture with its code', async () => {
    expect(await codeOf('bad-truncated.png')).toBe('image_decode_failed');
    expect(await codeOf('bad-bomb.png')).toBe('image_too_many_pixels'); // 144 MP in 17 KB, refused from the header
    expect(await codeOf('bad-huge-header.png')).toBe('image_too_many_pixels');
    expect(await codeOf('bad-not-image.png')).toBe('image_unsupported_type');
    expect(await codeOf('bad-empty.png')).toBe('image_unsupported_type');
    expect(await codeOf('bad-evil.svg')).toBe('image_svg_refused');
  });

  it('knows images by their bytes, and strips every external reference from an SVG before rendering', () => {
    expect(sniffImage(readFileSync(join(fixtures, 'en-serif.png')))).toBe('png');
    expect(sniffImage(readFileSync(join(fixtures, 'bad-evil.svg')))).toBe('svg');
    expect(sniffImage(Buffer.from('<html><svg></svg></html>'))).toBeNull();
    const svg = `<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(http://x.example/a.css);</style><image href="file:///etc/hostname"/><use xlink:href="http://x.example/s.svg#a"/><use href="#local"/><rect fill="url(http://x.example/p)" stroke="url(#grad)"/><foreignObject><p>x</p></foreignObject><text>hi</text></svg>`;
    const clean = sanitizeSvg(svg);
    expect(clean).not.toMatch(/file:|http:\/\/x\.example|<image|foreignObject|@import/);
    expect(clean).toContain('href="#local"');
    expect(clean).toContain('url(#grad)');
    expect(clean).toContain('<text>hi</text>');
  });

  it('applies the byte, pixel and side limits', async () => {
    expect((await ocrRecord({ image: 'cards/en-serif.png' }, { ...opts, limits: { maxBytes: 1000 } })).error?.code).toBe('image_too_large');
    expect((await ocrRecord({ image: dataUri('en-serif.png') }, { ...opts, limits: { maxBytes: 1000 } })).error?.code).toBe('image_too_large');
    expect((await ocrRecord({ image: 'cards/en-serif.png' }, { ...opts, limits: { maxPixels: 10_000 } })).error?.code).toBe('image_too_many_pixels');
    expect((await ocrRecord({ image: 'cards/en-serif.png' }, { ...opts, limits: { maxSide: 100 } })).error?.code).toBe('image_too_many_pixels');
  });

  it('keeps text from a good image when another image of the record is bad', async () => {
    const r = await ocrRecord({ image: 'cards/en-serif.png', image_url: 'cards/bad-truncated.png' }, opts);
    expect(r.text).toContain('Digital art collection');
    expect(r.error).toMatchObject({ code: 'image_decode_failed', field: 'image_url' });
  });

  it('times out a recognition, replaces the worker and stays usable', async () => {
    const slow = await OcrEngine.create({ languages: 'eng', recognizeTimeoutMs: 1 });
    try {
      const r = await ocrRecord({ image: 'cards/en-serif.png' }, { ...opts, engine: slow });
      expect(r.error).toMatchObject({ code: 'ocr_timeout', field: 'image' });
      const again = await ocrRecord({ image: 'cards/en-sans.png' }, { ...opts, engine: slow });
      expect(again.error?.code).toBe('ocr_timeout');
    } finally {
      await slow.terminate();
    }
    expect((await ocrRecord({ image: 'cards/en-serif.png' }, opts)).text).toContain('Digital art collection');
  });

  it('fails fast with ocr_unavailable when traineddata is missing (no download)', async () => {
    await expect(OcrEngine.create({ languages: 'ara+xyz' })).rejects.toMatchObject({ code: 'ocr_unavailable' });
    await expect(OcrEngine.create({ dataRoot: join(root, 'nowhere') })).rejects.toMatchObject({ code: 'ocr_unavailable' });
  });
});

describe('the gateway is the only host ever contacted', () => {
  let server: Server;
  let gw: string;
  let hits: string[] = [];
  beforeAll(async () => {
    const png = readFileSync(join(fixtures, 'en-serif.png'));
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      const url = req.url ?? '';
      if (url === `/ipfs/${CID}/card.png` || url === '/direct/card.png') {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
        res.end(png);
      } else if (url.endsWith('/endless.png')) {
        res.writeHead(200, { 'content-type': 'image/png' }); // no content-length: counted while downloading
        const chunk = Buffer.alloc(64 * 1024);
        const timer = setInterval(() => {
          if (!res.write(chunk)) return;
        }, 1);
        res.on('close', () => clearInterval(timer));
      } else if (url.endsWith('/announced.png')) {
        res.writeHead(200, { 'content-length': String(10 ** 9) });
        res.write('x');
      } else if (url.endsWith('/away.png')) {
        res.writeHead(302, { location: 'http://elsewhere.invalid/x.png' });
        res.end();
      } else if (url.endsWith('/silent.png')) {
        /* never answers */
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address() as net.AddressInfo;
    gw = `http://127.0.0.1:${addr.port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('fetches ipfs:// from the gateway and http(s) only on its host', async () => {
    hits = [];
    const g = { engine, ipfsGateway: gw };
    expect((await ocrRecord({ image: `ipfs://${CID}/card.png` }, g)).text).toContain('Digital art collection');
    expect((await ocrRecord({ image: `${gw}/direct/card.png` }, g)).text).toContain('Digital art collection');
    expect((await ocrRecord({ image: `http://localhost:${new URL(gw).port}/direct/card.png` }, g)).error?.code).toBe('image_remote_refused');
    expect((await ocrRecord({ image: 'https://example.com/direct/card.png' }, g)).error?.code).toBe('image_remote_refused');
    expect(hits).toEqual([`/ipfs/${CID}/card.png`, '/direct/card.png']);
  });

  it('prefers the local IPFS directory, and falls back to the gateway', async () => {
    hits = [];
    expect((await ocrRecord({ image: `ipfs://${CID}/card.png` }, { ...opts, ipfsGateway: gw })).text).toContain('Digital art collection');
    expect(hits).toEqual([]);
    const r = await ocrRecord({ image: `ipfs://${CID}/other.png` }, { ...opts, ipfsGateway: gw });
    expect(r.error?.code).toBe('image_not_found');
    expect(hits).toEqual([`/ipfs/${CID}/other.png`]);
  });

  it('enforces the size limit while downloading, and refuses redirects elsewhere and silence', async () => {
    const g = { engine, ipfsGateway: gw, limits: { maxBytes: 1024 * 1024 }, fetchTimeoutMs: 1500 };
    expect((await ocrRecord({ image: `ipfs://${CID}/endless.png` }, g)).error?.code).toBe('image_too_large');
    expect((await ocrRecord({ image: `ipfs://${CID}/announced.png` }, g)).error?.code).toBe('image_too_large');
    expect((await ocrRecord({ image: `ipfs://${CID}/away.png` }, g)).error?.code).toBe('image_remote_refused');
    const t0 = Date.now();
    expect((await ocrRecord({ image: `ipfs://${CID}/silent.png` }, g)).error?.code).toBe('image_fetch_failed');
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('offline', () => {
  it('opens no socket in this process while reading every fixture without a gateway', async () => {
    const calls: string[] = [];
    const orig = net.Socket.prototype.connect;
    const origFetch = globalThis.fetch;
    net.Socket.prototype.connect = function (this: net.Socket, ...a: unknown[]) {
      calls.push(`connect ${JSON.stringify(a[0])}`);
      return (orig as (...x: unknown[]) => net.Socket).apply(this, a);
    } as typeof orig;
    globalThis.fetch = ((...a: Parameters<typeof fetch>) => {
      calls.push(`fetch ${String(a[0])}`);
      return origFetch(...a);
    }) as typeof fetch;
    try {
      const fresh = await OcrEngine.create({ languages: 'ara+eng' });
      try {
        for (const c of manifest.cards.slice(0, 3)) await ocrRecord({ image: `cards/${c.file}`, image_url: `https://cdn.example/${c.file}` }, { ...opts, engine: fresh });
      } finally {
        await fresh.terminate();
      }
    } finally {
      net.Socket.prototype.connect = orig;
      globalThis.fetch = origFetch;
    }
    expect(calls).toEqual([]);
  });

  // The strong proof: a child process in a network namespace of its own (no interface but a down
  // loopback) starts the engine from node_modules traineddata and reads Arabic and English cards.
  const canUnshare = process.platform === 'linux' && process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true']).status === 0;
  it.skipIf(!canUnshare)('starts tesseract and reads cards in a process with no network at all (unshare -n)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'raqib-ocr-offline-'));
    try {
      // a minimal TypeScript loader for the child (the same sources vitest runs, transpiled by typescript)
      writeFileSync(
        join(dir, 'hooks.mjs'),
        `import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
const ts = createRequire(${JSON.stringify(join(repo, 'package.json'))})('typescript');
export async function resolve(spec, ctx, next) {
  if (spec.endsWith('.js') && ctx.parentURL?.startsWith('file:') && (spec.startsWith('.') || spec.startsWith('file:'))) {
    const u = new URL(spec.replace(/\\.js$/, '.ts'), ctx.parentURL);
    if (existsSync(fileURLToPath(u))) return { url: u.href, format: 'module', shortCircuit: true };
  }
  return next(spec, ctx);
}
export async function load(url, ctx, next) {
  if (url.startsWith('file:') && url.endsWith('.ts')) {
    const out = ts.transpileModule(readFileSync(fileURLToPath(url), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
    return { format: 'module', source: out.outputText, shortCircuit: true };
  }
  return next(url, ctx);
}
`,
      );
      writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
      writeFileSync(
        join(dir, 'child.mjs'),
        `import net from 'node:net';
import dns from 'node:dns';
import { networkInterfaces } from 'node:os';
const calls = [];
const c = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...a) { calls.push('connect'); return c.apply(this, a); };
const l = dns.lookup;
dns.lookup = function (...a) { calls.push('dns ' + a[0]); return l.apply(this, a); };
const { OcrEngine, ocrRecord } = await import(${JSON.stringify(pathToFileURL(join(repo, 'src', 'ocr', 'index.ts')).href)});
const engine = await OcrEngine.create({ createTimeoutMs: 60000 });
const opts = { engine, imageRoot: ${JSON.stringify(fixtures)} };
const ar = await ocrRecord({ image: 'ar-kufi-dark.png' }, opts);
const en = await ocrRecord({ image: 'en-serif.png', image_url: 'https://cdn.example/x.png' }, opts);
await engine.terminate();
process.stdout.write(JSON.stringify({ ar, en, calls, interfaces: Object.keys(networkInterfaces()) }) + '\\n');
`,
      );
      const res = spawnSync('unshare', ['-n', process.execPath, '--import', pathToFileURL(join(dir, 'register.mjs')).href, join(dir, 'child.mjs')], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      expect(res.status, res.stderr).toBe(0);
      // stdout holds exactly our one JSON line: tesseract printed nothing there (the CLI relies on it)
      const lines = res.stdout.split('\n').filter(Boolean);
      expect(lines).toHaveLength(1);
      const out = JSON.parse(lines[0]);
      expect(out.interfaces.filter((i: string) => i !== 'lo')).toEqual([]);
      expect(out.calls).toEqual([]);
      expect(out.ar.text).toBe('باقية وتتمدد\nالإصدار الأول');
      expect(out.en.text).toBe('Digital art collection\nLimited edition card 42');
      expect(out.en.error).toMatchObject({ code: 'image_remote_refused', field: 'image_url' });
      // cacheMethod 'none': no traineddata written to the working directory
      expect(existsSync(join(dir, 'ara.traineddata'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
