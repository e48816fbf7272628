/**
 * Prometheus metrics for `raqib serve`, hand-written (text exposition format 0.0.4): request counts
 * by route and status, a request-latency histogram by route, records scored by decision, flagged
 * records by category and by language. Labels come only from fixed sets (route patterns, status
 * codes, categories, language codes), so cardinality stays bounded whatever clients send.
 */
import { PROPAGANDA_CATEGORIES } from '../lexicon/types.js';
import type { OutputRecord } from '../types.js';

/** Latency buckets in seconds: fine around the single-record range (1–30 ms), coarse above. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Labels = Record<string, string>;

class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels, by = 1): void {
    const key = labelKey(labels);
    const cur = this.values.get(key);
    if (cur) cur.value += by;
    else this.values.set(key, { labels, value: by });
  }
  get(labels: Labels): number {
    return this.values.get(labelKey(labels))?.value ?? 0;
  }
  render(): string {
    let s = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} counter\n`;
    for (const { labels, value } of this.values.values()) s += `${this.name}${fmtLabels(labels)} ${value}\n`;
    return s;
  }
}

class Histogram {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: number[]) {}
  observe(labels: Labels, v: number): void {
    const key = labelKey(labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]) s.counts[i]++;
    s.sum += v;
    s.count++;
  }
  render(): string {
    let out = `# HELP ${this.name} ${this.help}\n# TYPE ${this.name} histogram\n`;
    for (const s of this.series.values()) {
      for (let i = 0; i < this.buckets.length; i++) out += `${this.name}_bucket${fmtLabels({ ...s.labels, le: String(this.buckets[i]) })} ${s.counts[i]}\n`;
      out += `${this.name}_bucket${fmtLabels({ ...s.labels, le: '+Inf' })} ${s.count}\n`;
      out += `${this.name}_sum${fmtLabels(s.labels)} ${s.sum}\n`;
      out += `${this.name}_count${fmtLabels(s.labels)} ${s.count}\n`;
    }
    return out;
  }
}

export class Metrics {
  readonly requests = new Counter('raqib_http_requests_total', 'HTTP requests by method, route and status code.');
  readonly latency = new Histogram('raqib_http_request_duration_seconds', 'HTTP request latency in seconds, from arrival to response sent, by route.', LATENCY_BUCKETS);
  readonly records = new Counter('raqib_records_scored_total', 'Records (or moderation inputs) scored, by endpoint and decision (allow, review, block, or error for an error record).');
  readonly flaggedByCategory = new Counter('raqib_flagged_total', 'Flagged records by category (a record flagged in two categories counts in both).');
  readonly flaggedByLanguage = new Counter('raqib_flagged_by_language_total', 'Flagged records by the detected language of the fields that scored (each language once per record).');
  private inFlight = 0;
  private readonly started = Date.now();

  constructor(private readonly gauges: () => Record<string, { help: string; value: number }> = () => ({})) {}

  requestStarted(): void {
    this.inFlight++;
  }

  requestDone(method: string, route: string, status: number, seconds: number): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ route }, seconds);
  }

  /** Count one scored output (result or error record). */
  scored(endpoint: string, rec: OutputRecord): void {
    if ('error' in rec) {
      this.records.inc({ endpoint, decision: 'error' });
      return;
    }
    this.records.inc({ endpoint, decision: rec.decision });
    if (!rec.flagged) return;
    for (const c of PROPAGANDA_CATEGORIES) if (rec.categories[c]) this.flaggedByCategory.inc({ category: c });
    const langs = new Set<string>();
    for (const f of Object.values(rec.fields)) if (f.score > 0) langs.add(f.lang);
    if (langs.size === 0) for (const f of Object.values(rec.fields)) langs.add(f.lang);
    for (const l of langs) this.flaggedByLanguage.inc({ lang: l });
  }

  render(): string {
    let s = this.requests.render() + this.latency.render() + this.records.render() + this.flaggedByCategory.render() + this.flaggedByLanguage.render();
    s += `# HELP raqib_http_requests_in_flight HTTP requests being handled now.\n# TYPE raqib_http_requests_in_flight gauge\nraqib_http_requests_in_flight ${this.inFlight}\n`;
    s += `# HELP raqib_uptime_seconds Seconds since the server started.\n# TYPE raqib_uptime_seconds gauge\nraqib_uptime_seconds ${(Date.now() - this.started) / 1000}\n`;
    for (const [name, g] of Object.entries(this.gauges())) s += `# HELP ${name} ${g.help}\n# TYPE ${name} gauge\n${name} ${g.value}\n`;
    return s;
  }
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
}

function fmtLabels(labels: Labels): string {
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  return `{${keys.map((k) => `${k}="${escapeLabel(labels[k])}"`).join(',')}}`;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
