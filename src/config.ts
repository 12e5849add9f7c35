/**
 * The one reader of process.env. Everything else receives a typed, validated Config.
 * Parsed once per process; a bad value stops startup with a message naming the variable.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const csvList = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean),
);

export const DEFAULT_SOURCE_SITES = [
  'guru-guha.blogspot.com',
  'syamakrishnavaibhavam.blogspot.com',
  'thyagaraja-vaibhavam.blogspot.com',
];

const EnvSchema = z.object({
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/krithi_import'),
  /** host:port of a Temporal frontend; unset means "start a local dev server" (demo, dev). */
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_BIN: z.string().optional(),
  /** Where the dev server keeps its SQLite file, logs and the built binary cache. Outside the repo. */
  KRITHI_STATE_DIR: z.string().optional(),
  TEMPORAL_DEV_PORT: z.coerce.number().int().positive().default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().positive().default(8233),
  TASK_QUEUE_PREFIX: z.string().regex(/^[a-z0-9-]*$/).default('krithi'),
  SOURCE_SITES: csvList.default(DEFAULT_SOURCE_SITES),
  /** Requests per second per source site; production default is 1. */
  SITE_RATE_LIMIT: z.coerce.number().positive().default(1),
  BATCH_WINDOW: z.coerce.number().int().min(1).max(1000).default(50),
  // Bounded well under the server's 2,000 pending children per run.
  BATCH_ROWS_PER_RUN: z.coerce.number().int().min(10).max(1500).default(300),
  SCRAPE_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  SCRAPE_INITIAL_RETRY_MS: z.coerce.number().int().min(10).default(2000),
  FETCH_CONNECT_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  FETCH_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  FETCH_BODY_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  FETCH_MAX_BYTES: z.coerce.number().int().positive().default(2 * 1024 * 1024),
  FETCH_MAX_REDIRECTS: z.coerce.number().int().min(0).max(20).default(5),
  USER_AGENT_CONTACT: z.string().default('https://github.com/krithi-import/krithi-import'),
  /** Allow-listed hosts whose names may resolve to private/loopback addresses (never needed for the blogs). */
  FETCH_ALLOW_PRIVATE_HOSTS: csvList.default([]),
  ROBOTS_CACHE_TTL_MS: z.coerce.number().int().min(0).default(60 * 60 * 1000),
  /** `off` fetches every page live (the benchmark and the rate-limit proof). */
  PAGE_CACHE: z.enum(['on', 'off']).default('on'),
  PAGE_CACHE_TTL_MS: z.coerce.number().int().min(0).default(24 * 60 * 60 * 1000),
  MANIFEST_MAX_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  /**
   * What happens to an uncertain row: `human` parks it for a reviewer; `auto` decides by policy
   * (approve when a composer and a raga were chosen, reject otherwise) for unattended runs such as the benchmark.
   */
  REVIEW_POLICY: z.enum(['human', 'auto']).default('human'),
  RESOLUTION_HIGH: z.coerce.number().min(0).max(1).optional(),
  RESOLUTION_LOW: z.coerce.number().min(0).max(1).optional(),
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().positive().default(20_000),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().default(100),
  /** Sticky-cache size: enough for a few batches' windows; each cached run costs memory. */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).default(150),
  /** A workflow bundle built by `npm run build` (dist/workflow-bundle.js); unset: bundle at start. */
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  /** Unset: info for long-running processes (worker, serve), warn for one-shot commands and the demo. */
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).optional(),
  /** json: JSON lines always; auto: human-readable lines on a terminal, JSON lines otherwise. */
  LOG_FORMAT: z.enum(['json', 'auto']).default('auto'),
  /**
   * Prometheus endpoint of this process (never the API port). Unset: on for worker/serve/demo at
   * their default port (src/observability/metrics-server.ts), off for other commands; 0: off.
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().default('127.0.0.1'),
  /** Rows waiting for review longer than this are flagged overdue (metric, alert, filters); never expired. */
  REVIEW_DEADLINE_HOURS: z.coerce.number().positive().default(72),
  /** Set by tests and the demo only: host → base URL of the offline fixture site. JSON object. */
  FETCH_HOST_OVERRIDES: z.string().optional(),
  CI: bool.optional(),
  /** HTTP API (npm start). */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Interface the API listens on; loopback unless a proxy in front needs another. */
  HOST: z.string().default('127.0.0.1'),
  /** JSON array of {name, role, token} or {name, role, sha256}; parsed below. */
  API_TOKENS: z.string().optional(),
  /** Requests per minute per token on /v1. */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
});

export const API_ROLES = ['operator', 'reviewer', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];

/** A caller of the HTTP API. Only the SHA-256 of the token is kept in memory. */
export interface ApiToken {
  name: string;
  role: ApiRole;
  sha256: string;
}

const ApiTokenSchema = z
  .strictObject({
    name: z.string().min(1).max(100),
    role: z.enum(API_ROLES),
    token: z.string().min(16, 'a token needs at least 16 characters').optional(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'lowercase hex SHA-256 of the token').optional(),
  })
  .refine((t) => (t.token === undefined) !== (t.sha256 === undefined), 'give exactly one of token or sha256');

/** Parses API_TOKENS; the message never repeats a token. */
export function parseApiTokens(text: string): ApiToken[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError('API_TOKENS is not valid JSON (expected an array of {name, role, token|sha256})');
  }
  const parsed = z.array(ApiTokenSchema).min(1).safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  API_TOKENS[${i.path.join('.')}]: ${i.message}`);
    throw new ConfigError(`invalid API_TOKENS (roles: ${API_ROLES.join(', ')}):\n${lines.join('\n')}`);
  }
  const tokens = parsed.data.map((t) => ({
    name: t.name,
    role: t.role,
    sha256: t.token !== undefined ? createHash('sha256').update(t.token).digest('hex') : (t.sha256 as string),
  }));
  const names = new Set<string>();
  for (const t of tokens) {
    if (names.has(t.name)) throw new ConfigError(`API_TOKENS: the name ${JSON.stringify(t.name)} appears twice`);
    names.add(t.name);
  }
  return tokens;
}

export interface Config {
  databaseUrl: string;
  temporal: {
    address: string | undefined;
    namespace: string;
    bin: string | undefined;
    devPort: number;
    uiPort: number;
  };
  stateDir: string;
  taskQueuePrefix: string;
  sites: { hosts: string[]; ratePerSecond: number };
  batch: { window: number; rowsPerRun: number };
  scrape: { maxAttempts: number; initialRetryMs: number };
  fetch: {
    connectTimeoutMs: number;
    headersTimeoutMs: number;
    bodyTimeoutMs: number;
    maxBytes: number;
    maxRedirects: number;
    userAgent: string;
    /** The token robots.txt `User-agent:` lines are matched against. */
    robotsAgent: string;
    robotsTtlMs: number;
    hostOverrides: Record<string, string>;
    allowPrivateHosts: string[];
  };
  pageCache: { enabled: boolean; ttlMs: number };
  manifestMaxBytes: number;
  resolution: { high: number | undefined; low: number | undefined };
  worker: { shutdownGraceMs: number; maxConcurrentActivities: number; maxCachedWorkflows: number; bundlePath?: string };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** What one-shot commands and the demo log: only warnings and errors unless LOG_LEVEL says otherwise. */
  cliLogLevel: 'debug' | 'info' | 'warn' | 'error';
  logFormat: 'json' | 'auto';
  /** port undefined: the command's default; 0: no metrics endpoint. */
  metrics: { port: number | undefined; host: string };
  review: { deadlineHours: number; policy: 'human' | 'auto' };
  /** tokens is null when API_TOKENS is unset (`npm start` then refuses unless --dev). */
  api: { port: number; host: string; tokens: ApiToken[] | null; rateLimitPerMinute: number };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  let hostOverrides: Record<string, string> = {};
  if (e.FETCH_HOST_OVERRIDES) {
    try {
      hostOverrides = z.record(z.string(), z.string().url()).parse(JSON.parse(e.FETCH_HOST_OVERRIDES));
    } catch (err) {
      throw new ConfigError(`FETCH_HOST_OVERRIDES must be a JSON object of host → URL: ${String(err)}`);
    }
  }
  const home = env.HOME ?? '/tmp';
  return {
    databaseUrl: e.DATABASE_URL,
    temporal: {
      address: e.TEMPORAL_ADDRESS || undefined,
      namespace: e.TEMPORAL_NAMESPACE,
      bin: e.TEMPORAL_BIN,
      devPort: e.TEMPORAL_DEV_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
    },
    stateDir: e.KRITHI_STATE_DIR ?? `${env.XDG_CACHE_HOME ?? `${home}/.cache`}/krithi-import`,
    taskQueuePrefix: e.TASK_QUEUE_PREFIX,
    sites: { hosts: e.SOURCE_SITES, ratePerSecond: e.SITE_RATE_LIMIT },
    batch: { window: e.BATCH_WINDOW, rowsPerRun: e.BATCH_ROWS_PER_RUN },
    scrape: { maxAttempts: e.SCRAPE_MAX_ATTEMPTS, initialRetryMs: e.SCRAPE_INITIAL_RETRY_MS },
    fetch: {
      connectTimeoutMs: e.FETCH_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: e.FETCH_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: e.FETCH_BODY_TIMEOUT_MS,
      maxBytes: e.FETCH_MAX_BYTES,
      maxRedirects: e.FETCH_MAX_REDIRECTS,
      userAgent: `krithi-import/0.1 (+${e.USER_AGENT_CONTACT})`,
      robotsAgent: 'krithi-import',
      robotsTtlMs: e.ROBOTS_CACHE_TTL_MS,
      hostOverrides,
      allowPrivateHosts: e.FETCH_ALLOW_PRIVATE_HOSTS,
    },
    pageCache: { enabled: e.PAGE_CACHE === 'on', ttlMs: e.PAGE_CACHE_TTL_MS },
    manifestMaxBytes: e.MANIFEST_MAX_BYTES,
    resolution: { high: e.RESOLUTION_HIGH, low: e.RESOLUTION_LOW },
    worker: {
      shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS,
      maxConcurrentActivities: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      bundlePath: e.WORKFLOW_BUNDLE_PATH,
    },
    logLevel: e.LOG_LEVEL ?? 'info',
    cliLogLevel: e.LOG_LEVEL ?? 'warn',
    logFormat: e.LOG_FORMAT,
    metrics: { port: e.METRICS_PORT, host: e.METRICS_HOST },
    review: { deadlineHours: e.REVIEW_DEADLINE_HOURS, policy: e.REVIEW_POLICY },
    api: {
      port: e.PORT,
      host: e.HOST,
      tokens: e.API_TOKENS ? parseApiTokens(e.API_TOKENS) : null,
      rateLimitPerMinute: e.API_RATE_LIMIT_PER_MINUTE,
    },
  };
}

let cached: Config | undefined;
/** The process's configuration, parsed on first use. */
export function loadConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
