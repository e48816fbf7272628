/**
 * `raqib serve [--host 127.0.0.1] [--port 8080] [--workers N] …`: the HTTP service (src/serve/app.ts)
 * until SIGTERM or SIGINT, then a graceful close that finishes in-flight requests.
 */
import { parseArgs } from 'node:util';
import { DEFAULTS, startServer, type ServeOptions } from '../serve/app.js';

export const SERVE_HELP = `raqib serve — HTTP service: POST /v1/moderations (OpenAI shape), POST /v1/score,
GET /healthz /readyz /metrics /openapi.json

Usage: raqib serve [options]
  --host ADDR         bind address (default ${DEFAULTS.host}: this machine only)
  --port N            port (default ${DEFAULTS.port}; 0 picks a free one)
  --workers N         score in a pool of N worker threads (default 0: in the server thread;
                      on 2 cores a pool of 2 gave ~30 % more throughput, not lower latency)
  --timeout MS        per-request timeout → 503 (default ${DEFAULTS.timeoutMs})
  --body-limit BYTES  largest request body → 413 (default ${DEFAULTS.bodyLimit})
  --max-items N       most records or inputs per request → 413 (default ${DEFAULTS.maxItems})
  --lexicon FILE      add a lexicon / watch-list / allow-list (repeatable), as for raqib score
  --config FILE       scoring configuration (default data/config/default.json)
  --threshold X       review threshold for every category (or review=X,block=Y)
  --model DIR         a model directory (default: the shipped model, when present)
  --no-model          lexicons only
  --dtype q8|fp32     which ONNX file of the model (default q8)
  --model-thread      run the transformer in a thread of its own (see raqib score --help)
  --log-level LEVEL   fatal|error|warn|info|debug (default warn; info logs every request)
Environment: RAQIB_API_TOKEN=<token> requires "Authorization: Bearer <token>" on every route
except /healthz and /readyz.
`;

export async function serveCommand(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: false,
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        workers: { type: 'string' },
        timeout: { type: 'string' },
        'body-limit': { type: 'string' },
        'max-items': { type: 'string' },
        lexicon: { type: 'string', multiple: true },
        config: { type: 'string' },
        threshold: { type: 'string' },
        model: { type: 'string' },
        'no-model': { type: 'boolean' },
        'model-thread': { type: 'boolean' },
        dtype: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    return usage((e as Error).message);
  }
  const v = args.values;
  if (v.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const int = (name: string, s: string | undefined, min: number, max: number): number | undefined | string => {
    if (s === undefined) return undefined;
    const n = Number(s);
    return Number.isInteger(n) && n >= min && n <= max ? n : `--${name}: an integer from ${min} to ${max}`;
  };
  const port = int('port', v.port, 0, 65535);
  const workers = int('workers', v.workers, 0, 64);
  const timeoutMs = int('timeout', v.timeout, 1, 3_600_000);
  const bodyLimit = int('body-limit', v['body-limit'], 1024, 1024 ** 3);
  const maxItems = int('max-items', v['max-items'], 1, 100_000);
  for (const x of [port, workers, timeoutMs, bodyLimit, maxItems]) if (typeof x === 'string') return usage(x);
  const level = v['log-level'] ?? 'warn';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) return usage(`--log-level: unknown level "${level}"`);

  if (v.dtype !== undefined && v.dtype !== 'q8' && v.dtype !== 'fp32') return usage(`--dtype: q8 or fp32, not "${v.dtype}"`);
  const host = v.host ?? DEFAULTS.host;
  const options: ServeOptions = {
    host,
    port: port as number | undefined,
    workers: workers as number | undefined,
    timeoutMs: timeoutMs as number | undefined,
    bodyLimit: bodyLimit as number | undefined,
    maxItems: maxItems as number | undefined,
    scorer: { lexicons: v.lexicon ?? [], configPath: v.config, threshold: v.threshold, model: v['no-model'] ? false : v.model, dtype: v.dtype as 'q8' | 'fp32' | undefined, modelThread: v['model-thread'] },
    logger: { level },
  };

  let server;
  try {
    server = await startServer(options);
  } catch (e) {
    process.stderr.write(`raqib serve: ${(e as Error).message}\n`);
    return 2;
  }
  const auth = Boolean(process.env.RAQIB_API_TOKEN);
  const mode = server.backend.kind === 'pool' ? `${server.backend.threads} worker threads` : 'in-process scorer';
  process.stderr.write(`raqib serve: listening on ${server.url} (${mode}; auth ${auth ? 'on' : 'off'})\n`);
  if (!auth && !isLoopback(host)) process.stderr.write(`raqib serve: warning: bound to ${host} without RAQIB_API_TOKEN; anyone who can reach it can use it\n`);

  let signalled: NodeJS.Signals | null = null;
  let onSignal: (sig: NodeJS.Signals) => void = () => {};
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = (sig) => {
      if (signalled) {
        process.stderr.write(`raqib serve: second ${sig}, exiting now\n`);
        process.exit(130);
      }
      signalled = sig;
      resolve(sig);
    };
  });
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  const ready = server.backend.whenReady.then(
    () => 'ready' as const,
    (e: Error) => e,
  );
  const first = await Promise.race([ready, stopped]);
  if (first instanceof Error) {
    process.stderr.write(`raqib serve: the scorer failed to load: ${first.message}\n`);
    await server.close().catch(() => {});
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    return 2;
  }
  if (first === 'ready') {
    const ver = server.backend.version();
    const model = server.backend.model();
    process.stderr.write(`raqib serve: ready (raqib ${ver?.raqib}, lexicons ${ver?.lexicons}, ${model ? `model ${model.name}` : 'no model'})\n`);
  }

  const sig = await stopped;
  process.stderr.write(`raqib serve: ${sig}: finishing in-flight requests\n`);
  // a stuck request must not keep the process alive forever: the timeout answers it, then a grace period
  const grace = setTimeout(() => {
    process.stderr.write('raqib serve: graceful close took too long, exiting\n');
    process.exit(1);
  }, (options.timeoutMs ?? DEFAULTS.timeoutMs) + 5_000);
  grace.unref();
  await server.close();
  clearTimeout(grace);
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  process.stderr.write('raqib serve: closed\n');
  return 0;
}

function usage(msg: string): number {
  process.stderr.write(`raqib serve: ${msg}\n\n${SERVE_HELP}`);
  return 2;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
