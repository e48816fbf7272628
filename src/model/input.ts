import type { TextField } from '../adapter/record.js';
import { BoundedCache } from '../bounded-cache.js';
import { normalizeViews } from '../normalize/pipeline.js';

/**
 * The one text the model reads for a record: its fields in a fixed order, each behind a field marker,
 * each in raqib's matching normalisation (NFKC, invisibles removed, lower case, homoglyphs, leetspeak
 * and inner separators undone, Arabic folded). Training (scripts/train) and inference build it with
 * this same function, so the model sees at run time exactly what it saw in training.
 *
 * Markers are upper case and user text is lower-cased, so no user text can forge a marker or a
 * special token such as [CLS] (those become `[cls]`, plain text).
 */
export const FIELD_MARKERS = ['[T]', '[D]', '[A]', '[C]', '[X]'] as const;

export function fieldMarker(path: string): (typeof FIELD_MARKERS)[number] {
  if (path === 'name' || path.endsWith('.name') || path === 'properties.title') return '[T]';
  if (path === 'description' || path.endsWith('.description')) return '[D]';
  if (path.startsWith('attributes[') || path.startsWith('properties.')) return '[A]';
  if (path === 'image_caption' || path === 'image_ocr' || path === 'image_data.text') return '[C]';
  return '[X]';
}

const ORDER: Record<string, number> = { '[T]': 0, '[D]': 1, '[C]': 2, '[A]': 3, '[X]': 4 };

const fieldTextCache = new BoundedCache<string, string>(20_000);

/**
 * Normalised model text of one field. Attribute values and collection boilerplate repeat across a
 * catalogue, so results are kept in a bounded cache (a pure function of the text).
 */
export function modelFieldText(text: string): string {
  return fieldTextCache.getOrCompute(text, () => normalizeViews(text).base.text.replace(/\s+/gu, ' ').trim());
}

/** An attribute reads as `trait: value` (`Wilayah: Khurasan` says more than `Khurasan`). */
function withTraitName(f: TextField): string {
  const m = /^attributes\[(.*)\]$/s.exec(f.path);
  return m && !/^\d+$/.test(m[1]) ? `${m[1]}: ${f.text}` : f.text;
}

/** One field of the model text: its marker and its normalised text (never empty). */
export interface ModelPart {
  marker: (typeof FIELD_MARKERS)[number];
  text: string;
  /** the path of the field it was read from (modelParts sets it; evidence names the field by it) */
  path?: string;
}

/**
 * The model text of a record as parts, in reading order. Markers are special tokens, so the tokenizer
 * reads each part's text on its own: the ids of `modelInput(fields)` are the parts' ids concatenated,
 * which lets the classifier tokenize each distinct field text once (see ModelClassifier.encode).
 */
export function modelParts(fields: TextField[]): ModelPart[] {
  return fields
    .map((f, i) => ({ marker: fieldMarker(f.path), text: modelFieldText(withTraitName(f)), path: f.path, i }))
    .filter((p) => p.text.length > 0)
    .sort((a, b) => ORDER[a.marker] - ORDER[b.marker] || a.i - b.i)
    .map(({ marker, text, path }) => ({ marker, text, path }));
}

export function joinParts(parts: ModelPart[]): string {
  return parts.map((p) => `${p.marker} ${p.text}`).join(' ');
}

export function modelInput(fields: TextField[]): string {
  return joinParts(modelParts(fields));
}
