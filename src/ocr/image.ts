import type { Metadata, SharpOptions } from 'sharp';
import { OcrError, withTimeout } from './errors.js';

/**
 * Image bytes → what tesseract reads, with the limits untrusted NFT images need: a format allow-list by
 * magic bytes (never by name or Content-Type), a pixel and side limit checked on the header before any
 * pixel is decoded (decompression bombs), strict decoding (truncated files fail), a time limit, and the
 * preprocessing chosen by measurement (scripts/bench-ocr.ts; figures in the issue 7 notes).
 */

export type ImageKind = 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' | 'svg';

export interface ImageLimits {
  /** bytes read, downloaded or decoded from a data: URI (default 20 MiB) */
  maxBytes: number;
  /** width × height of the input (default 50 megapixels) */
  maxPixels: number;
  /** longest side of the input (default 20,000) */
  maxSide: number;
  /** decoding + preprocessing time limit, ms (default 15,000) */
  decodeTimeoutMs: number;
  /** SVG source size in bytes (default 2 MiB) */
  maxSvgBytes: number;
}

export const DEFAULT_LIMITS: ImageLimits = {
  maxBytes: 20 * 1024 * 1024,
  maxPixels: 50_000_000,
  maxSide: 20_000,
  decodeTimeoutMs: 15_000,
  maxSvgBytes: 2 * 1024 * 1024,
};

export interface PreprocessOptions {
  /** convert to one grey channel (after flattening transparency onto white) */
  grayscale: boolean;
  /**
   * scales to OCR an image at when its longest side is below `multiScaleBelow`; the reading with the
   * most confidently read characters wins (tesseract reads best at an x-height it cannot know in advance)
   */
  scales: number[];
  /** images at least this long (longest side) are read once, at scale 1 */
  multiScaleBelow: number;
  /** binarise with Otsu's threshold */
  threshold: boolean;
  /** make light-on-dark images dark-on-light (mean grey below 128) */
  invertDark: boolean;
  /** downscale so the longest side is at most this (keeps tesseract's time and memory bounded) */
  maxOcrSide: number;
}

/**
 * The default, chosen by character error rate on test/fixtures/images and degraded copies of them
 * (half size, JPEG q35), 33 images, with `npm run bench:ocr -- --grid` (mean CER, all languages):
 * no preprocessing 6.8 %; greyscale 7.4 %; a fixed 1.5× / 2× upscale of images under 1000 px 5.8 % /
 * 7.5 % (helps Arabic, hurts Nastaliq Urdu and English); reading at 1× and 1.5× and keeping the reading
 * with the most confidently read characters 3.9 % (best of 1×/2× 5.0 %, of 1×/1.5×/2× 3.9 % at 1.7×
 * the time). Otsu thresholding made it worse (9.1 %) and inverting dark cards changed nothing
 * (tesseract binarises and reads light-on-dark text itself): both off.
 */
export const DEFAULT_PREPROCESS: PreprocessOptions = {
  grayscale: true,
  scales: [1, 1.5],
  multiScaleBelow: 1000,
  threshold: false,
  invertDark: false,
  maxOcrSide: 3000,
};

/** No preprocessing beyond what decoding needs (flatten onto white, the size cap), one pass. */
export const NO_PREPROCESS: PreprocessOptions = { grayscale: false, scales: [1], multiScaleBelow: 0, threshold: false, invertDark: false, maxOcrSide: 3000 };

/** The image type by magic bytes; null when raqib does not read it. */
export function sniffImage(buf: Buffer): ImageKind | null {
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 6 && /^GIF8[79]a$/.test(buf.subarray(0, 6).toString('latin1'))) return 'gif';
  if (buf.length >= 12 && buf.subarray(0, 4).toString('latin1') === 'RIFF' && buf.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  if (buf.length >= 4 && (buf.subarray(0, 4).equals(Buffer.from([0x49, 0x49, 0x2a, 0x00])) || buf.subarray(0, 4).equals(Buffer.from([0x4d, 0x4d, 0x00, 0x2a])))) return 'tiff';
  if (looksLikeSvg(buf)) return 'svg';
  return null;
}

function looksLikeSvg(buf: Buffer): boolean {
  const head = buf.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (!head.startsWith('<')) return false;
  // an XML declaration, comments or a DOCTYPE may come first; the root element must be <svg
  const rest = head.replace(/^<\?xml[\s\S]*?\?>\s*/, '').replace(/^(?:<!--[\s\S]*?-->\s*)*/, '').replace(/^<!DOCTYPE[^[>]*(?:\[[\s\S]*?\]\s*)?>\s*/i, '').replace(/^(?:<!--[\s\S]*?-->\s*)*/, '');
  return /^<svg[\s>]/i.test(rest);
}

/**
 * An SVG made safe to render: DOCTYPEs (entities, XXE) are refused; <image>, <foreignObject>, <script>,
 * <style> with @import, and every href/url() that is not a same-document `#fragment` are removed, so
 * rendering can read no file and no URL.
 */
export function sanitizeSvg(svg: string, limits: ImageLimits = DEFAULT_LIMITS): string {
  if (Buffer.byteLength(svg) > limits.maxSvgBytes) throw new OcrError('image_svg_refused', `SVG is larger than ${limits.maxSvgBytes} bytes`);
  if (/<!DOCTYPE|<!ENTITY/i.test(svg)) throw new OcrError('image_svg_refused', 'SVG declares a DOCTYPE or entities; refused (external entities could read files)');
  return svg
    .replace(/<(image|foreignObject|script|iframe|video|audio)\b[\s\S]*?(?:\/>|<\/\1\s*>)/gi, '')
    .replace(/@import[^;]*;?/gi, '')
    .replace(/\s(?:xlink:)?href\s*=\s*("[^"]*"|'[^']*')/gi, (m, v: string) => (/^["']\s*#/.test(v) ? m : ''))
    .replace(/url\(\s*(['"]?)(?!#)[^)]*\)/gi, 'none');
}

export interface PreparedImage {
  /** one encoded PNG per scale to read, for tesseract */
  variants: Array<{ png: Buffer; scale: number }>;
  kind: ImageKind;
  width: number;
  height: number;
}

/**
 * Decode and preprocess one image for OCR. Throws OcrError: image_unsupported_type, image_too_large,
 * image_too_many_pixels, image_decode_failed, image_svg_refused, ocr_timeout.
 */
export async function prepareImage(buf: Buffer, pre: PreprocessOptions = DEFAULT_PREPROCESS, limits: ImageLimits = DEFAULT_LIMITS): Promise<PreparedImage> {
  if (buf.length === 0) throw new OcrError('image_unsupported_type', 'the image is empty (0 bytes)');
  if (buf.length > limits.maxBytes) throw new OcrError('image_too_large', `the image has ${buf.length} bytes, over the ${limits.maxBytes}-byte limit`);
  const kind = sniffImage(buf);
  if (!kind) throw new OcrError('image_unsupported_type', `not an image raqib reads (PNG, JPEG, WebP, GIF, TIFF, SVG); starts with ${JSON.stringify(buf.subarray(0, 8).toString('latin1').replace(/[^\x20-\x7e]/g, '.'))}`);
  const input = kind === 'svg' ? Buffer.from(sanitizeSvg(buf.toString('utf8'), limits)) : buf;
  return withTimeout(decode(input, kind, pre, limits), limits.decodeTimeoutMs, 'decoding the image');
}

const SVG_DENSITY = 144; // render SVG at 2× its nominal size

/** sharp costs ~115 ms to import: a scorer without OCR never loads it (transformers.js may, for itself). */
const loadSharp = async () => (await import('sharp')).default;

async function decode(input: Buffer, kind: ImageKind, pre: PreprocessOptions, limits: ImageLimits): Promise<PreparedImage> {
  const opts = { limitInputPixels: limits.maxPixels, failOn: 'truncated' as const, pages: 1, ...(kind === 'svg' ? { density: SVG_DENSITY } : {}) };
  const sharp = await loadSharp();
  let meta: Metadata;
  try {
    meta = await sharp(input, opts).metadata();
  } catch (e) {
    throw new OcrError(/pixel limit/i.test(msg(e)) ? 'image_too_many_pixels' : 'image_decode_failed', `cannot read the ${kind} header: ${msg(e)}`);
  }
  // sharp reports an SVG's size at the density it will render at
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (!w || !h) throw new OcrError('image_decode_failed', `the ${kind} header has no size`);
  if (Math.max(w, h) > limits.maxSide || w * h > limits.maxPixels) {
    throw new OcrError('image_too_many_pixels', `the image is ${w}×${h} pixels, over the limit (${limits.maxPixels} pixels, ${limits.maxSide} per side)`);
  }
  const longest = Math.max(w, h);
  const scales = longest < pre.multiScaleBelow && pre.scales.length ? [...new Set(pre.scales)] : [1];
  const variants: PreparedImage['variants'] = [];
  for (const wanted of scales) {
    const scale = longest * wanted > pre.maxOcrSide ? pre.maxOcrSide / longest : wanted;
    if (variants.some((v) => Math.abs(v.scale - scale) < 1e-6)) continue;
    variants.push({ png: await render(input, opts, kind, pre, limits, w, h, scale), scale });
  }
  return { variants, kind, width: w, height: h };
}

async function render(input: Buffer, opts: SharpOptions, kind: ImageKind, pre: PreprocessOptions, limits: ImageLimits, w: number, h: number, scale: number): Promise<Buffer> {
  const tw = Math.max(1, Math.round(w * scale));
  const th = Math.max(1, Math.round(h * scale));
  const sharp = await loadSharp();
  try {
    let img = sharp(input, opts)
      .timeout({ seconds: Math.max(1, Math.ceil(limits.decodeTimeoutMs / 1000)) })
      .rotate()
      .flatten({ background: '#ffffff' });
    if (tw !== w || th !== h) img = img.resize(tw, th, { kernel: scale > 1 ? 'cubic' : 'lanczos3', fit: 'fill' });
    if (pre.grayscale || pre.threshold || pre.invertDark) img = img.greyscale();
    if (!pre.threshold && !pre.invertDark) return await img.png({ compressionLevel: 1 }).toBuffer();
    const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
    const grey = info.channels === 1 ? data : toGrey(data, info.channels);
    let mean = 0;
    for (let i = 0; i < grey.length; i++) mean += grey[i];
    mean /= grey.length || 1;
    const invert = pre.invertDark && mean < 128;
    const t = pre.threshold ? otsu(grey) : -1;
    for (let i = 0; i < grey.length; i++) {
      let v = invert ? 255 - grey[i] : grey[i];
      if (t >= 0) v = v > (invert ? 255 - t : t) ? 255 : 0;
      grey[i] = v;
    }
    return await sharp(grey, { raw: { width: info.width, height: info.height, channels: 1 } }).png({ compressionLevel: 1 }).toBuffer();
  } catch (e) {
    if (e instanceof OcrError) throw e;
    const m = msg(e);
    if (/timeout/i.test(m)) throw new OcrError('ocr_timeout', `decoding the image timed out: ${m}`);
    if (/pixel limit|exceeds/i.test(m)) throw new OcrError('image_too_many_pixels', m);
    throw new OcrError('image_decode_failed', `cannot decode the ${kind} image: ${m}`);
  }
}

function toGrey(data: Buffer, channels: number): Buffer {
  const n = data.length / channels;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    const o = i * channels;
    out[i] = channels >= 3 ? Math.round(0.299 * data[o] + 0.587 * data[o + 1] + 0.114 * data[o + 2]) : data[o];
  }
  return out;
}

/** Otsu's threshold over a grey buffer. */
export function otsu(grey: Uint8Array): number {
  const hist = new Array<number>(256).fill(0);
  for (let i = 0; i < grey.length; i++) hist[grey[i]]++;
  const total = grey.length;
  let sum = 0;
  for (let i = 0; i < 256; i++) sum += i * hist[i];
  let sumB = 0;
  let wB = 0;
  let best = 0;
  let t = 127;
  for (let i = 0; i < 256; i++) {
    wB += hist[i];
    if (wB === 0) continue;
    const wF = total - wB;
    if (wF === 0) break;
    sumB += i * hist[i];
    const mB = sumB / wB;
    const mF = (sum - sumB) / wF;
    const between = wB * wF * (mB - mF) * (mB - mF);
    if (between > best) {
      best = between;
      t = i;
    }
  }
  return t;
}

function msg(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 200);
}
