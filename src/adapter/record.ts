import type { ScoreResult, Warning } from '../types.js';
import { svgFromDataUri, svgText } from './svg.js';

/**
 * Record adapter: any of the metadata shapes raqib reads (ERC-721/1155/OpenSea metadata,
 * marketplace scrapes, plain {id, text}) → an id, the text fields under their paths, the actors,
 * and warnings for what had to be repaired. Field paths follow one grammar (schema/README.md):
 * name, description, attributes[<trait_type>], properties.<key>, image_data.text,
 * localization.<locale>.<key>, image_caption, image_ocr, text.
 */
export interface TextField {
  path: string;
  text: string;
}

export interface AdaptedRecord {
  id: string;
  fields: TextField[];
  actors: ScoreResult['actors'];
  warnings: Warning[];
}

export interface AdaptError {
  code: string;
  message: string;
  field?: string;
}

export interface AdaptOptions {
  /** used for the fallback id `<source>:<line>` */
  source: string;
  line: number;
  maxFieldLength: number;
  maxFields: number;
  /** keep only these paths (exact, or a prefix ending in `.` or `[`, or `attributes[*]`) */
  fields?: string[];
}

const CAPTION_KEYS = ['image_caption', 'caption'];
const OCR_KEYS = ['image_ocr', 'ocr_text', 'ocr'];

export function adaptRecord(value: unknown, opt: AdaptOptions): { ok: true; record: AdaptedRecord } | { ok: false; error: AdaptError; id?: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, error: { code: 'not_an_object', message: `record is ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}, not an object` } };
  }
  const r = value as Record<string, unknown>;
  const warnings: Warning[] = [];
  const id = recordId(r, opt);
  const fields: TextField[] = [];
  const add = (path: string, v: unknown, required = true) => {
    const text = asText(v, path, warnings, required);
    if (text === null || text.trim() === '') return;
    if (fields.length >= opt.maxFields) {
      if (!warnings.some((w) => w.code === 'too_many_fields')) warnings.push({ code: 'too_many_fields', message: `only the first ${opt.maxFields} text fields were scored`, field: path });
      return;
    }
    let t = text;
    if (t.length > opt.maxFieldLength) {
      // never cut a surrogate pair in half
      let cut = opt.maxFieldLength;
      if (/[\uD800-\uDBFF]/.test(t[cut - 1])) cut--;
      warnings.push({ code: 'field_truncated', message: `field is ${t.length} UTF-16 units long; scored the first ${cut}`, field: path });
      t = t.slice(0, cut);
    }
    if (!t.isWellFormed()) {
      warnings.push({ code: 'lone_surrogate', message: 'field held unpaired UTF-16 surrogates; they were replaced with U+FFFD', field: path });
      t = t.toWellFormed();
    }
    fields.push({ path, text: t });
  };

  add('name', r.name);
  if (r.title !== undefined) {
    if (r.name === undefined) add('name', r.title);
    else add('properties.title', r.title);
  }
  add('description', r.description);
  adaptAttributes(r.attributes ?? r.traits, add, warnings);
  adaptProperties(r.properties, add, warnings);
  if (r.image_data !== undefined) {
    if (typeof r.image_data === 'string') add('image_data.text', svgText(r.image_data), false);
    else warnings.push({ code: 'unexpected_type', message: `image_data is ${typeOf(r.image_data)}, expected SVG text`, field: 'image_data.text' });
  }
  for (const key of ['image', 'image_url']) {
    if (typeof r[key] === 'string' && (r[key] as string).startsWith('data:image/svg')) {
      const svg = svgFromDataUri(r[key] as string);
      if (svg) add('image_data.text', svgText(svg), false);
    }
  }
  adaptLocalization(r.localization, add, warnings);
  for (const k of CAPTION_KEYS) if (r[k] !== undefined) { add('image_caption', r[k]); break; }
  for (const k of OCR_KEYS) if (r[k] !== undefined) { add('image_ocr', r[k]); break; }
  add('text', r.text);

  const kept = opt.fields ? fields.filter((f) => opt.fields!.some((sel) => selects(sel, f.path))) : fields;
  const actors = adaptActors(r);
  if (kept.length === 0) {
    const why = fields.length > 0 ? `none of its text fields is selected by --fields ${opt.fields!.join(',')}` : 'it has no text field raqib reads (name, title, description, attributes, properties, image_data, localization, image_caption, image_ocr, text)';
    return { ok: false, id, error: { code: 'no_text', message: `nothing to score: ${why}` } };
  }
  return { ok: true, record: { id, fields: mergeSamePath(kept), actors, warnings } };
}

function recordId(r: Record<string, unknown>, opt: AdaptOptions): string {
  for (const k of ['id', 'custom_id']) {
    const v = r[k];
    if (typeof v === 'string' && v.trim()) return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  const contract = r.contract ?? r.contract_address;
  const token = r.token_id ?? r.tokenId;
  if ((typeof contract === 'string' && contract) && (typeof token === 'string' || typeof token === 'number')) return `${contract}:${token}`;
  return `${opt.source}:${opt.line}`;
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}

function asText(v: unknown, path: string, warnings: Warning[], required: boolean): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') {
    if (required) warnings.push({ code: 'coerced_to_text', message: `expected text, got ${typeof v} ${String(v)}; scored as text`, field: path });
    return String(v);
  }
  warnings.push({ code: 'unexpected_type', message: `expected text, got ${typeOf(v)}; not scored`, field: path });
  return null;
}

type Add = (path: string, v: unknown, required?: boolean) => void;

function adaptAttributes(attrs: unknown, add: Add, warnings: Warning[]): void {
  if (attrs === undefined || attrs === null) return;
  if (Array.isArray(attrs)) {
    attrs.forEach((a, i) => {
      if (a && typeof a === 'object' && !Array.isArray(a)) {
        const o = a as Record<string, unknown>;
        const trait = typeof o.trait_type === 'string' && o.trait_type ? o.trait_type : typeof o.key === 'string' ? o.key : String(i);
        const value = o.value;
        // numbers are ordinary trait values (levels, dates): scored text only when they are strings
        if (typeof value === 'number' || typeof value === 'boolean') return;
        add(`attributes[${trait}]`, value);
        if (typeof o.trait_type === 'string' && o.trait_type.length > 24) add(`attributes[${trait}]`, o.trait_type, false);
      } else if (typeof a === 'string') add(`attributes[${i}]`, a);
      else if (typeof a !== 'number') warnings.push({ code: 'unexpected_type', message: `attribute ${i} is ${typeOf(a)}; not scored`, field: `attributes[${i}]` });
    });
  } else if (typeof attrs === 'object') {
    for (const [k, v] of Object.entries(attrs as Record<string, unknown>)) if (typeof v === 'string') add(`attributes[${k}]`, v);
  } else warnings.push({ code: 'unexpected_type', message: `attributes is ${typeOf(attrs)}, expected an array; not scored`, field: 'attributes' });
}

function adaptProperties(props: unknown, add: Add, warnings: Warning[]): void {
  if (props === undefined || props === null) return;
  if (typeof props !== 'object' || Array.isArray(props)) {
    warnings.push({ code: 'unexpected_type', message: `properties is ${typeOf(props)}, expected an object; not scored`, field: 'properties' });
    return;
  }
  for (const [k, v] of Object.entries(props as Record<string, unknown>)) {
    if (typeof v === 'string') add(`properties.${k}`, v);
    // ERC-1155 style: {"name": {"type": "string", "description": "..."}} or {"value": ...}
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const inner = typeof o.value === 'string' ? o.value : typeof o.description === 'string' ? o.description : undefined;
      if (inner !== undefined) add(`properties.${k}`, inner);
    }
  }
}

function adaptLocalization(loc: unknown, add: Add, warnings: Warning[]): void {
  if (loc === undefined || loc === null) return;
  if (typeof loc !== 'object' || Array.isArray(loc)) {
    warnings.push({ code: 'unexpected_type', message: `localization is ${typeOf(loc)}, expected an object; not scored`, field: 'localization' });
    return;
  }
  // ERC-1155 {uri, default, locales} points at other files: nothing inline to read
  const o = loc as Record<string, unknown>;
  const variants = o.locales && typeof o.locales === 'object' && !Array.isArray(o.locales) ? (o.locales as Record<string, unknown>) : o;
  for (const [locale, v] of Object.entries(variants)) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) continue;
    for (const key of ['name', 'description']) {
      const x = (v as Record<string, unknown>)[key];
      if (x !== undefined) add(`localization.${locale}.${key}`, x);
    }
  }
}

function adaptActors(r: Record<string, unknown>): ScoreResult['actors'] {
  const actors: ScoreResult['actors'] = {};
  const pick = (v: unknown): string | undefined => {
    if (typeof v === 'string' && v) return v;
    if (typeof v === 'number') return String(v);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const k of ['address', 'id', 'name', 'slug', 'username']) if (typeof o[k] === 'string' && o[k]) return o[k] as string;
    }
    return undefined;
  };
  const creator = pick(r.creator ?? r.created_by ?? r.minter ?? r.artist);
  const owner = pick(r.owner);
  const contract = pick(r.contract ?? r.contract_address);
  const collection = pick(r.collection ?? r.collection_name);
  if (creator) actors.creator = creator;
  if (owner) actors.owner = owner;
  if (contract) actors.contract = contract;
  if (collection) actors.collection = collection;
  return actors;
}

/** `--fields` selectors: an exact path, `attributes[*]`, or a prefix like `properties.` / `localization.` */
export function selects(selector: string, path: string): boolean {
  if (selector === path) return true;
  if (selector.endsWith('[*]')) return path.startsWith(selector.slice(0, -2));
  if (selector.endsWith('.') || selector.endsWith('[')) return path.startsWith(selector);
  return selector === 'attributes' ? path.startsWith('attributes[') : selector === 'properties' ? path.startsWith('properties.') : selector === 'localization' ? path.startsWith('localization.') : false;
}

/** Two fields with one path (two attributes with the same trait type) are scored as one, joined by a newline. */
function mergeSamePath(fields: TextField[]): TextField[] {
  const out = new Map<string, TextField>();
  for (const f of fields) {
    const prev = out.get(f.path);
    if (prev) prev.text = `${prev.text}\n${f.text}`;
    else out.set(f.path, { ...f });
  }
  return [...out.values()];
}
