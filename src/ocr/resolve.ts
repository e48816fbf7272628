import { constants, promises as fsp, realpathSync, readlinkSync } from 'node:fs';
import { isAbsolute, relative, resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { OcrError } from './errors.js';
import { DEFAULT_LIMITS, type ImageLimits } from './image.js';

/**
 * Where an image reference from untrusted metadata may be read from (issue 7):
 * - `data:` URIs (base64 or percent-encoded), size-checked before decoding;
 * - local paths (relative, absolute or `file://`) only inside the image root: the path is resolved,
 *   its real path (symlinks followed) must still be inside the root's real path, the file is opened
 *   with O_NOFOLLOW|O_NONBLOCK, must be a regular file, and on Linux the opened descriptor's path is
 *   checked again (no swap between check and open);
 * - `ipfs://<cid>/<path>` (and `https://<any host>/ipfs/<cid>/…` gateway links): from
 *   `<ipfs dir>/<cid>/<path>` with the same local rules, else from the one gateway the user named;
 * - `http(s)://` only on the gateway's own origin; redirects only within it; the body is counted
 *   while it downloads and abandoned past the size limit; a time limit on the whole download.
 * Nothing else: no network at all without a gateway.
 */

export interface ResolveOptions {
  /** local image paths are read only under this directory */
  imageRoot?: string;
  /** `ipfs://<cid>/<path>` is read from `<ipfsDir>/<cid>/<path>` (default: imageRoot) */
  ipfsDir?: string;
  /** an IPFS gateway, e.g. `https://ipfs.io` or `http://127.0.0.1:8080/ipfs/`; the only host ever contacted */
  ipfsGateway?: string;
  /** download time limit, ms (default 20,000) */
  fetchTimeoutMs?: number;
  limits?: Partial<ImageLimits>;
}

export interface ResolvedImage {
  bytes: Buffer;
  /** where it came from, for messages: `data:`, `file:<relative path>`, `ipfs:<cid>/<path>`, `gateway:<url>` */
  source: string;
  /** the declared media type of a data: URI, if any */
  mediaType?: string;
}

const CID_RE = /^[A-Za-z0-9]{16,128}$/;

/** Read one image reference. Throws OcrError (no `field`; the caller adds it). */
export async function resolveImage(ref: string, opt: ResolveOptions = {}): Promise<ResolvedImage> {
  const limits = { ...DEFAULT_LIMITS, ...opt.limits };
  const s = ref.trim();
  if (s === '') throw new OcrError('image_unsupported_ref', 'empty image reference');
  if (s.includes('\0')) throw new OcrError('image_path_refused', 'image reference contains a NUL byte');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(s)?.[1]?.toLowerCase();
  if (scheme === 'data') return readDataUri(s, limits.maxBytes);
  if (scheme === 'ipfs') return readIpfs(parseIpfsUri(s), opt, limits.maxBytes);
  if (scheme === 'http' || scheme === 'https') {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      throw new OcrError('image_unsupported_ref', 'malformed URL');
    }
    const ipfs = ipfsFromGatewayPath(url);
    if (ipfs) return readIpfs(ipfs, opt, limits.maxBytes);
    const gw = opt.ipfsGateway ? gatewayUrl(opt.ipfsGateway) : null;
    if (!gw) throw new OcrError('image_remote_refused', `remote image ${url.origin} not fetched: raqib reads the network only through --ipfs-gateway`);
    if (url.origin !== gw.origin) throw new OcrError('image_remote_refused', `remote image on ${url.host} not fetched: only the gateway host ${gw.host} is contacted`);
    if (url.username || url.password) throw new OcrError('image_remote_refused', 'URLs with credentials are not fetched');
    const bytes = await download(url, gw, opt, limits.maxBytes);
    return { bytes, source: `gateway:${url.href}` };
  }
  if (scheme === 'file') {
    let p: string;
    try {
      p = fileURLToPath(s);
    } catch {
      throw new OcrError('image_path_refused', 'malformed file: URL');
    }
    return readLocal(p, opt.imageRoot, limits.maxBytes, 'file');
  }
  // a single letter before ':' would be a Windows drive: treat as a path, which the root check refuses
  if (scheme && scheme.length > 1) throw new OcrError('image_unsupported_ref', `image scheme ${scheme}: is not read (data:, ipfs://, local paths under --image-root, or the --ipfs-gateway host)`);
  return readLocal(s, opt.imageRoot, limits.maxBytes, 'file');
}

// ---------------------------------------------------------------- data: URIs

function readDataUri(s: string, maxBytes: number): ResolvedImage {
  const comma = s.indexOf(',');
  if (comma < 0) throw new OcrError('image_unsupported_ref', 'data: URI without a comma');
  const header = s.slice(5, comma);
  const params = header.split(';').map((x) => x.trim());
  const mediaType = (params[0] || 'text/plain').toLowerCase();
  if (!mediaType.startsWith('image/')) throw new OcrError('image_unsupported_ref', `data: URI of type ${mediaType}, not an image`);
  const body = s.slice(comma + 1);
  const b64 = params.slice(1).some((p) => p.toLowerCase() === 'base64');
  // refuse before decoding: base64 is 4 characters per 3 bytes, percent-encoding at least 1 per byte
  const estimate = b64 ? Math.floor((body.length * 3) / 4) : body.length;
  if (estimate > maxBytes * (b64 ? 1 : 3)) throw new OcrError('image_too_large', `data: URI holds about ${estimate} bytes, over the ${maxBytes}-byte limit`);
  let bytes: Buffer;
  if (b64) {
    const clean = body.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(clean)) throw new OcrError('image_decode_failed', 'data: URI is not valid base64');
    bytes = Buffer.from(clean, 'base64');
  } else {
    try {
      bytes = Buffer.from(decodeURIComponent(body), 'utf8');
    } catch {
      throw new OcrError('image_decode_failed', 'data: URI is not valid percent-encoding');
    }
  }
  if (bytes.length > maxBytes) throw new OcrError('image_too_large', `data: URI holds ${bytes.length} bytes, over the ${maxBytes}-byte limit`);
  return { bytes, source: 'data:', mediaType };
}

// ---------------------------------------------------------------- local files

function within(root: string, p: string): boolean {
  const rel = relative(root, p);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Read `p` (relative to `root`, or absolute) only if it lies inside `root` once every symlink is
 * followed. Errors: image_root_required, image_path_refused, image_not_found, image_too_large.
 */
export async function readLocal(p: string, root: string | undefined, maxBytes: number, label: string): Promise<ResolvedImage> {
  if (!root) throw new OcrError('image_root_required', 'a local image path, but no image root was given (--image-root DIR); local files are never read without one');
  let rootReal: string;
  try {
    rootReal = realpathSync(root);
  } catch {
    throw new OcrError('image_root_required', `the image root ${root} does not exist`);
  }
  const rootAbs = resolvePath(root);
  const candidate = isAbsolute(p) ? resolvePath(p) : resolvePath(rootAbs, p);
  // lexical check first: `..` and absolute paths elsewhere are refused without touching the disk
  if (!within(rootAbs, candidate) && !within(rootReal, candidate)) throw new OcrError('image_path_refused', `image path ${JSON.stringify(p)} is outside the image root`);
  let real: string;
  try {
    real = await fsp.realpath(candidate);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new OcrError('image_not_found', `no image at ${JSON.stringify(p)} under the image root`);
    throw new OcrError('image_path_refused', `cannot resolve ${JSON.stringify(p)}: ${code ?? 'error'}`);
  }
  if (!within(rootReal, real)) throw new OcrError('image_path_refused', `image path ${JSON.stringify(p)} leads outside the image root (symlink)`);
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new OcrError('image_not_found', `no image at ${JSON.stringify(p)} under the image root`);
    throw new OcrError('image_path_refused', `cannot open ${JSON.stringify(p)}: ${code ?? 'error'}`);
  }
  try {
    // the descriptor's own path: catches a directory swapped for a symlink after the check
    try {
      const opened = readlinkSync(`/proc/self/fd/${fh.fd}`);
      if (!within(rootReal, opened)) throw new OcrError('image_path_refused', `image path ${JSON.stringify(p)} changed to point outside the image root`);
    } catch (e) {
      if (e instanceof OcrError) throw e; // no /proc: the realpath check above stands
    }
    const st = await fh.stat();
    if (!st.isFile()) throw new OcrError('image_path_refused', `${JSON.stringify(p)} is not a regular file`);
    if (st.size > maxBytes) throw new OcrError('image_too_large', `${JSON.stringify(p)} has ${st.size} bytes, over the ${maxBytes}-byte limit`);
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const { bytesRead } = await fh.read(buf, off, st.size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return { bytes: buf.subarray(0, off), source: `${label}:${relative(rootReal, real)}` };
  } finally {
    await fh.close();
  }
}

// ---------------------------------------------------------------- IPFS

export interface IpfsRef {
  cid: string;
  /** path segments after the CID, decoded, each checked */
  segments: string[];
}

/** `ipfs://<cid>/a/b.png`, also the older `ipfs://ipfs/<cid>/…`. */
export function parseIpfsUri(s: string): IpfsRef {
  const rest = s.replace(/^ipfs:\/\//i, '').replace(/^ipfs\//i, '').split(/[?#]/)[0];
  return checkIpfs(rest.split('/'));
}

function ipfsFromGatewayPath(url: URL): IpfsRef | null {
  const m = /^\/ipfs\/([^/]+)((?:\/[^/]*)*)$/.exec(url.pathname);
  if (!m || !CID_RE.test(m[1])) return null;
  return checkIpfs([m[1], ...m[2].split('/').slice(1)]);
}

function checkIpfs(parts: string[]): IpfsRef {
  const [cid, ...rest] = parts;
  if (!cid || !CID_RE.test(cid)) throw new OcrError('image_unsupported_ref', `not an IPFS CID: ${JSON.stringify((cid ?? '').slice(0, 80))}`);
  const segments: string[] = [];
  for (const raw of rest) {
    if (raw === '') continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      throw new OcrError('image_path_refused', 'IPFS path is not valid percent-encoding');
    }
    if (seg === '.' || seg === '..' || seg.includes('/') || seg.includes('\\') || seg.includes('\0')) throw new OcrError('image_path_refused', `IPFS path segment ${JSON.stringify(seg)} refused`);
    segments.push(seg);
  }
  return { cid, segments };
}

async function readIpfs(ref: IpfsRef, opt: ResolveOptions, maxBytes: number): Promise<ResolvedImage> {
  const dir = opt.ipfsDir ?? opt.imageRoot;
  const label = `${ref.cid}${ref.segments.length ? '/' : ''}${ref.segments.join('/')}`;
  if (dir) {
    try {
      const r = await readLocal([ref.cid, ...ref.segments].join(sep), dir, maxBytes, 'ipfs');
      return { ...r, source: `ipfs:${label}` };
    } catch (e) {
      // not in the local directory: try the gateway, if the user named one
      if (!(e instanceof OcrError && e.code === 'image_not_found' && opt.ipfsGateway)) throw e;
    }
  }
  if (!opt.ipfsGateway) {
    throw new OcrError(dir ? 'image_not_found' : 'image_remote_refused', dir ? `ipfs://${label} is not in the local IPFS directory and no gateway was given` : `ipfs://${label} not read: give a local directory (--image-root) or a gateway (--ipfs-gateway)`);
  }
  const gw = gatewayUrl(opt.ipfsGateway);
  const url = new URL(`${gw.pathname.replace(/\/?$/, '/')}${[ref.cid, ...ref.segments].map(encodeURIComponent).join('/')}`, gw.origin);
  return { bytes: await download(url, gw, opt, maxBytes), source: `gateway:${url.href}` };
}

/** The gateway as a URL whose path ends at `/ipfs/` (`https://ipfs.io` → `https://ipfs.io/ipfs/`). */
export function gatewayUrl(g: string): URL {
  let u: URL;
  try {
    u = new URL(g);
  } catch {
    throw new OcrError('image_unsupported_ref', `the IPFS gateway ${JSON.stringify(g)} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new OcrError('image_unsupported_ref', `the IPFS gateway must be http(s), not ${u.protocol}`);
  if (!/\/ipfs\/?$/.test(u.pathname)) u.pathname = `${u.pathname.replace(/\/$/, '')}/ipfs/`;
  u.search = '';
  u.hash = '';
  return u;
}

/** GET one URL on the gateway's origin: no connection pool (nothing lingers), redirects only within the origin. */
async function download(url: URL, gw: URL, opt: ResolveOptions, maxBytes: number): Promise<Buffer> {
  const ms = opt.fetchTimeoutMs ?? 20_000;
  const deadline = Date.now() + ms;
  let current = url;
  for (let hop = 0; hop < 4; hop++) {
    const res = await getOnce(current, maxBytes, Math.max(1, deadline - Date.now()));
    if (res.kind === 'redirect') {
      const next = new URL(res.location, current);
      if (next.origin !== gw.origin) throw new OcrError('image_remote_refused', `the gateway redirected to another host (${next.host}); not followed`);
      current = next;
      continue;
    }
    return res.body;
  }
  throw new OcrError('image_fetch_failed', 'too many redirects');
}

type GetResult = { kind: 'body'; body: Buffer } | { kind: 'redirect'; location: string };

function getOnce(url: URL, maxBytes: number, ms: number): Promise<GetResult> {
  return new Promise<GetResult>((resolve, reject) => {
    let done = false;
    const finish = (err: OcrError | null, value?: GetResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    const get = url.protocol === 'https:' ? httpsGet : httpGet;
    const req = get(url, { agent: false, headers: { accept: 'image/*' } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        const loc = res.headers.location;
        return loc ? finish(null, { kind: 'redirect', location: loc }) : finish(new OcrError('image_fetch_failed', `the gateway answered ${status} without a location`));
      }
      if (status < 200 || status >= 300) return finish(new OcrError(status === 404 ? 'image_not_found' : 'image_fetch_failed', `the gateway answered ${status} for ${url.pathname}`));
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (Number.isFinite(declared) && declared > maxBytes) return finish(new OcrError('image_too_large', `the gateway announces ${declared} bytes, over the ${maxBytes}-byte limit`));
      const chunks: Buffer[] = [];
      let total = 0;
      res.on('data', (c: Buffer) => {
        total += c.length;
        if (total > maxBytes) return finish(new OcrError('image_too_large', `the download passed the ${maxBytes}-byte limit; abandoned`));
        chunks.push(c);
      });
      res.on('end', () => finish(null, { kind: 'body', body: Buffer.concat(chunks, total) }));
      res.on('error', (e) => finish(new OcrError('image_fetch_failed', `download failed: ${e.message}`)));
    });
    req.on('error', (e) => finish(new OcrError('image_fetch_failed', `download failed: ${e.message}`)));
    const timer = setTimeout(() => finish(new OcrError('image_fetch_failed', `downloading ${url.pathname} took longer than ${ms} ms`)), ms);
    timer.unref?.();
  });
}
