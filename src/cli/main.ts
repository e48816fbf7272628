import { createWriteStream, writeFileSync, type WriteStream } from 'node:fs';
import { BREAKDOWNS, type BreakdownDim } from '../eval/build.js';
import { renderHtml } from '../eval/html.js';
import { renderMarkdown } from '../eval/markdown.js';
import { evaluate, SCORERS, type ScorerName } from '../eval/run.js';
import { ocrOptionsFromCli } from '../ocr/index.js';
import { closeStream, Progress, write } from '../io/output.js';
import { aggregateCommand, BATCH_HELP, enqueueCommand, SCORER_OPTIONS, scoreCommand, workerCommand } from './batch.js';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createScorer, DEFAULT_BATCH_SIZE } from '../scorer.js';
import { inGroups, mapOrdered } from '../ordered.js';
import { readRecords, type RawRecord } from '../io/readers.js';
import type { OutputRecord } from '../types.js';


const HELP = `raqib — score NFT metadata for violent-extremist propaganda, offline

Usage:
  raqib score [FILE…|-] [options]   score records; one JSON line out per record in, in input order
  raqib lang                        one text per stdin line → {text, lang, script, confidence}
  raqib eval FILE… [options]        measure raqib on labelled records (precision/recall, curves, report)
  raqib serve [options]             HTTP service: POST /v1/moderations (OpenAI shape), POST /v1/score,
                                    GET /healthz /readyz /metrics /openapi.json (raqib serve --help)
${BATCH_HELP.usage.trimEnd()}
  raqib --version | --help

score options:
  --format jsonl|json|csv   input format (default: from the file extension; stdin: jsonl)
  --out FILE                write results there instead of stdout
  --errors FILE             also copy error records there
  --threshold X             review threshold for every category (or review=X,block=Y)
  --fields a,b              score only these field paths (name, description, attributes[*], …)
  --lexicon FILE            add a lexicon / watch-list / allow-list file (repeatable)
  --config FILE             scoring configuration (default data/config/default.json)
  --model DIR               a model directory (default: the shipped model, when present)
  --no-model                lexicons only
  --dtype q8|fp32           which ONNX file of the model (default q8)
  --model-thread            run the transformer in a thread of its own (on 2 cores ~13 % faster,
                            ~60 MB more memory; see npm run bench)
  --ocr                     also read the text in each record's image (offline OCR) as image_ocr
  --image-root DIR          local image paths are read only under DIR
  --ipfs-gateway URL|DIR    resolve ipfs:// images from this gateway (the only host contacted) or folder
  --ocr-workers N           OCR worker threads (default 1)
${BATCH_HELP.score.trimEnd()}

eval options:
  --label-field NAME        field holding the label (default label)
  --positive LABEL          the positive label (default propaganda; every other label is negative)
  --scorer lexicon|model|ngram|fused|all   (default lexicon)
  --json FILE  --md FILE  --html FILE   write the report (a summary goes to stdout)
  --by lang,category,source,evasion     breakdowns (default all four)
  --target-precision P      report the lowest threshold reaching precision P (default 0.95)
  --bootstrap N             bootstrap resamples for AUC intervals (default 1000)
  --model DIR  --dtype q8|fp32   the model the model and fused scorers use (default: the shipped one)

${BATCH_HELP.aggregate}
${BATCH_HELP.queue}
Exit status: 0 all records scored; 1 some records were error records; 2 usage or setup error.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    const { createRequire } = await import('node:module');
    process.stdout.write(`${createRequire(import.meta.url)('../../../package.json').version}\n`);
    return 0;
  }
  if (command === 'score') {
    // the batch path (worker pool, resume, per-actor summary) takes every score option, --ocr included
    const batchFlags = rest.some((a) => /^--(workers|resume|group-by|summary)(=|$)/.test(a));
    return batchFlags ? scoreCommand(rest) : score(rest);
  }
  if (command === 'aggregate') return aggregateCommand(rest);
  if (command === 'worker') return workerCommand(rest);
  if (command === 'enqueue') return enqueueCommand(rest);
  if (command === 'lang') return lang();
  if (command === 'eval') return evalCommand(rest);
  // the dynamic import keeps Fastify out of `raqib score` start-up
  if (command === 'serve') return (await import('./serve.js')).serveCommand(rest);
  process.stderr.write(`raqib: unknown command "${command}"\n\n${HELP}`);
  return 2;
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];

/** parseArgs with positionals; a usage error is printed and becomes exit status 2. */
function parse<O extends Options>(cmd: string, argv: string[], options: O): ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: O }>> | null {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options });
  } catch (e) {
    process.stderr.write(`raqib ${cmd}: ${(e as Error).message}\n`);
    return null;
  }
}

async function score(argv: string[]): Promise<number> {
  const args = parse('score', argv, {
    format: { type: 'string' },
    out: { type: 'string' },
    errors: { type: 'string' },
    ...SCORER_OPTIONS,
    ocr: { type: 'boolean' },
    'image-root': { type: 'string' },
    'ipfs-gateway': { type: 'string' },
    'ocr-workers': { type: 'string' },
  });
  if (!args) return 2;
  const v = args.values;
  const inputs = args.positionals.length ? args.positionals : ['-'];
  if (!v.ocr && (v['image-root'] !== undefined || v['ipfs-gateway'] !== undefined || v['ocr-workers'] !== undefined)) {
    process.stderr.write('raqib score: --image-root, --ipfs-gateway and --ocr-workers go with --ocr\n');
    return 2;
  }
  const ocr = v.ocr ? ocrOptionsFromCli({ imageRoot: v['image-root'], ipfsGateway: v['ipfs-gateway'], workers: v['ocr-workers'] ? Number(v['ocr-workers']) : undefined }) : undefined;
  if (v.dtype && v.dtype !== 'q8' && v.dtype !== 'fp32') {
    process.stderr.write('raqib score: --dtype is q8 or fp32\n');
    return 2;
  }
  const scorer = await createScorer({
    lexicons: v.lexicon ?? [],
    configPath: v.config,
    threshold: v.threshold,
    fields: v.fields?.split(',').map((s) => s.trim()).filter(Boolean),
    model: v['no-model'] ? false : v.model,
    dtype: v.dtype as 'q8' | 'fp32' | undefined,
    modelThread: v['model-thread'],
    ocr,
  });
  const out = v.out ? createWriteStream(v.out) : process.stdout;
  const errOut = v.errors ? createWriteStream(v.errors) : null;
  const progress = process.stderr.isTTY && out !== process.stdout ? new Progress() : process.stderr.isTTY ? new Progress() : null;
  let errors = 0;
  let n = 0;
  const scoreGroup = async (group: Array<{ raw: RawRecord; source: string }>): Promise<OutputRecord[]> => {
    const scored = await scorer.scoreBatch(group.filter((b) => !('error' in b.raw)).map((b) => {
      const raw = b.raw as Extract<RawRecord, { value: unknown }>;
      return { record: raw.value, ctx: { source: b.source, line: raw.line, warnings: raw.warnings } };
    }));
    let k = 0;
    return group.map((b) => ('error' in b.raw ? { line: b.raw.line, error: b.raw.error } : scored[k++]));
  };
  async function* records(): AsyncGenerator<{ raw: RawRecord; source: string }> {
    for (const input of inputs) {
      const source = input === '-' ? 'stdin' : input;
      for await (const raw of readRecords(input, v.format)) yield { raw, source };
    }
  }
  // records are scored in groups, from one model batch (the scorer's default size: the first result comes
  // early) growing to scorer.streamGroup (the model batches a group's texts by length), several under
  // way at once when the model has a thread of its own, and written in input order
  for await (const group of mapOrdered(inGroups(records(), scorer.streamGroup, DEFAULT_BATCH_SIZE), scoreGroup, scorer.batchesInFlight)) {
    for (const rec of group) {
      const lineOut = `${JSON.stringify(rec)}\n`;
      await write(out, lineOut);
      if ('error' in rec) {
        errors++;
        if (errOut) await write(errOut, lineOut);
      }
      progress?.tick(++n, errors);
    }
  }
  progress?.done(n, errors);
  await scorer.close();
  if (out !== process.stdout) await closeStream(out as WriteStream);
  if (errOut) await closeStream(errOut);
  return errors > 0 ? 1 : 0;
}

async function evalCommand(argv: string[]): Promise<number> {
  const args = parse('eval', argv, {
    'label-field': { type: 'string' },
    positive: { type: 'string' },
    scorer: { type: 'string' },
    json: { type: 'string' },
    md: { type: 'string' },
    html: { type: 'string' },
    by: { type: 'string' },
    'target-precision': { type: 'string' },
    bootstrap: { type: 'string' },
    format: { type: 'string' },
    lexicon: { type: 'string', multiple: true },
    model: { type: 'string' },
    dtype: { type: 'string' },
  });
  if (!args) return 2;
  const v = args.values;
  if (v.dtype !== undefined && v.dtype !== 'q8' && v.dtype !== 'fp32') return usage('--dtype: q8 or fp32');
  if (args.positionals.length === 0) {
    process.stderr.write('raqib eval: name at least one labelled file\n');
    return 2;
  }
  const scorers = (v.scorer ?? 'lexicon') === 'all' ? [...SCORERS] : (v.scorer ?? 'lexicon').split(',');
  for (const sc of scorers) if (!(SCORERS as readonly string[]).includes(sc)) return usage(`--scorer: unknown scorer "${sc}"`);
  const by = (v.by ?? BREAKDOWNS.join(',')).split(',').map((x) => x.trim());
  for (const b of by) if (!(BREAKDOWNS as readonly string[]).includes(b)) return usage(`--by: unknown breakdown "${b}" (lang, category, source, evasion)`);
  const target = Number(v['target-precision'] ?? 0.95);
  if (!(target > 0 && target <= 1)) return usage('--target-precision: a number in (0, 1]');
  const report = await evaluate({
    files: args.positionals,
    labelField: v['label-field'],
    positive: v.positive,
    format: v.format,
    scorers: scorers as ScorerName[],
    breakdowns: by as BreakdownDim[],
    targetPrecision: target,
    bootstrap: v.bootstrap ? Number(v.bootstrap) : undefined,
    command: `raqib eval ${argv.join(' ')}`,
    scorerOptions: { lexicons: v.lexicon ?? [], model: v.model, dtype: v.dtype as 'q8' | 'fp32' | undefined },
  });
  if (v.json) writeFileSync(v.json, JSON.stringify(report, null, 1));
  if (v.md) writeFileSync(v.md, renderMarkdown(report));
  if (v.html) writeFileSync(v.html, renderHtml(report));
  for (const s of report.scorers) {
    const pct = (x: number | null) => (x === null ? '–' : `${(100 * x).toFixed(1)} %`);
    process.stdout.write(`${s.scorer}: ${s.n} records (${s.positives} positive, ${s.unscoreable} unscoreable) — precision ${pct(s.review.precision)}, recall ${pct(s.review.recall)}, F1 ${pct(s.review.f1)}, false-flag rate ${pct(s.review.fpr)}; ROC-AUC ${s.rocAuc ? s.rocAuc.estimate.toFixed(3) : '–'}, PR-AUC ${s.prAuc ? s.prAuc.estimate.toFixed(3) : '–'}\n`);
  }
  if (report.unreadable.length) process.stdout.write(`${report.unreadable.length} unreadable records (listed in the reports)\n`);
  return 0;
}

function usage(msg: string): number {
  process.stderr.write(`raqib eval: ${msg}\n`);
  return 2;
}

async function lang(): Promise<number> {
  const scorer = await createScorer();
  const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const text of rl) {
    const r = scorer.detectLanguage(text);
    const row: Record<string, unknown> = { text, lang: r.lang, script: r.script, confidence: r.confidence };
    if (r.parts) row.parts = r.parts;
    await write(process.stdout, `${JSON.stringify(row)}\n`);
  }
  return 0;
}



