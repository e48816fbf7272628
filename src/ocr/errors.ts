/**
 * Errors of the OCR path (issue 7). Every failure — a refused path, a bad image, a timeout — becomes
 * one of these codes; nothing throws past `ocrRecord`. `field` is the metadata key the image came from
 * (`image`, `image_url`, `animation_url`).
 */
export type OcrErrorCode =
  | 'image_root_required' // a local path, but no --image-root was given
  | 'image_path_refused' // outside the image root (traversal, absolute path elsewhere, symlink escape)
  | 'image_not_found' // no such file under the root (or the ipfs directory)
  | 'image_remote_refused' // http(s) or ipfs:// with no gateway, or a host that is not the gateway's
  | 'image_fetch_failed' // the gateway answered with an error, a redirect elsewhere, or timed out
  | 'image_unsupported_ref' // a scheme or data: URI raqib does not read (ar://, data:text/html, …)
  | 'image_too_large' // more bytes than max_bytes
  | 'image_too_many_pixels' // width × height (or one side) over the limit: decompression bombs
  | 'image_unsupported_type' // not PNG/JPEG/WebP/GIF/TIFF/SVG by its magic bytes
  | 'image_decode_failed' // truncated or corrupt
  | 'image_svg_refused' // SVG with a DOCTYPE/entities (XXE) or too large to parse
  | 'ocr_timeout' // decoding or recognition took longer than the time limit
  | 'ocr_failed' // tesseract rejected the image
  | 'ocr_unavailable'; // the engine could not start (missing traineddata, worker creation timeout)

export interface OcrErrorInfo {
  code: OcrErrorCode;
  message: string;
  field?: string;
}

export class OcrError extends Error {
  constructor(
    readonly code: OcrErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'OcrError';
  }

  withField(field: string): OcrError {
    return this.field === field ? this : new OcrError(this.code, this.message, field);
  }

  toJSON(): OcrErrorInfo {
    return this.field === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, field: this.field };
  }
}

/** Any thrown value → an OcrError (unknown failures become `fallback`). */
export function asOcrError(e: unknown, fallback: OcrErrorCode, field?: string): OcrError {
  const err = e instanceof OcrError ? e : new OcrError(fallback, e instanceof Error ? e.message : String(e));
  return field === undefined || err.field !== undefined ? err : err.withField(field);
}

/** Rejects with `ocr_timeout` (or `code`) after `ms`; the timer never keeps the process alive. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string, code: OcrErrorCode = 'ocr_timeout', onTimeout?: () => void): Promise<T> {
  if (!Number.isFinite(ms) || ms <= 0) return p;
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => {
      try {
        onTimeout?.();
      } finally {
        reject(new OcrError(code, `${what} took longer than ${ms} ms`));
      }
    }, ms);
    t.unref?.();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
