import { z } from 'zod'
import { BRAND_COLOR, DEFAULT_BUSINESS, normalizeColor, type Business } from './domain/business.js'
import { ConfigError } from './domain/errors.js'
import { parseMailbox } from './email/address.js'

/** Recoup's version: the CLI's --version, the startup log and /openapi.json (kept equal to package.json by version.test.ts). */
export const VERSION = '0.1.0'

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max)

const schema = z.object({
  DATABASE_URL: z.string().min(1).default('./data/recoup.db'),
  RECOUP_HOST: z.string().default('127.0.0.1'),
  RECOUP_PORT: int(0, 65535).default(8080),
  RECOUP_PUBLIC_URL: z.url().optional(),
  RECOUP_API_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  RECOUP_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  RECOUP_SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  RECOUP_EMAIL_FROM: z.string().default('Recoup <recoup@localhost>'),
  RECOUP_TWILIO_ACCOUNT_SID: z.string().optional(),
  RECOUP_TWILIO_AUTH_TOKEN: z.string().optional(),
  RECOUP_TWILIO_FROM: z.string().optional(),
  RECOUP_TWILIO_API_BASE: z.url().optional(),
  RECOUP_STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_/, 'must be the endpoint signing secret (whsec_…)').optional(),
  RECOUP_STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_/, 'must be a Stripe secret or restricted key (sk_… or rk_…)').optional(),
  RECOUP_STRIPE_API_BASE: z.url().optional(),
  RECOUP_WEBHOOK_SECRET: z.string().regex(/^whsec_/, 'must be a whsec_… secret').optional(),
  RECOUP_WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  RECOUP_CONCURRENCY: int(1, 10_000).default(64),
  RECOUP_POLL_MS: int(10, 60_000).default(500),
  RECOUP_RETRY_MAX_ATTEMPTS: int(1, 100).default(5),
  RECOUP_RETRY_BASE_MS: int(1, 86_400_000).default(10_000),
  RECOUP_RETRY_MAX_MS: int(1, 86_400_000).default(3_600_000),
  RECOUP_RETRY_BUDGET: int(1, 100).default(15),
  RECOUP_DAILY_MESSAGE_CAP: int(0, 1000).default(5),
  RECOUP_BODY_LIMIT: int(1024, 100_000_000).default(10_000_000),
  RECOUP_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RECOUP_WORKER: bool.default(true),
  RECOUP_ENGINE_THREAD: bool.default(true),
  RECOUP_WORKER_SCHEMA: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
  RECOUP_PG_POOL_SIZE: int(3, 1000).default(20),
  RECOUP_PG_LOCAL_QUEUE: int(0, 10_000).optional(),
  RECOUP_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  RECOUP_BUSINESS_NAME: z.string().trim().min(1).max(100).optional(),
  RECOUP_BRAND_LOGO_URL: z.url().refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL').optional(),
  RECOUP_BRAND_COLOR: z.string().regex(BRAND_COLOR, 'must be a hex colour such as #1d4ed8').optional(),
  RECOUP_BUSINESS_ADDRESS: z.string().trim().min(1).max(500).optional(),
  RECOUP_EMAIL_REPLY_TO: z.string().refine((v) => parseMailbox(v) !== undefined, 'must be an email address, optionally with a name: Acme Support <help@acme.com>').optional(),
})

/** Everything Recoup reads from its environment, validated once and frozen. */
export interface Config {
  readonly databaseUrl: string
  readonly host: string
  readonly port: number
  readonly publicUrl: string | undefined
  readonly apiKey: string | undefined
  readonly secret: string | undefined
  readonly smtpUrl: string | undefined
  readonly emailFrom: string
  readonly twilio: { readonly accountSid: string; readonly authToken: string; readonly from: string; readonly apiBase?: string } | undefined
  readonly stripe: { readonly webhookSecret?: string; readonly secretKey?: string; readonly apiBase?: string }
  readonly webhookSecret: string | undefined
  readonly webhookAllowPrivate: boolean
  readonly concurrency: number
  readonly pollMs: number
  readonly retry: { readonly maxAttempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number }
  /** Most payment attempts per card in a rolling 30 days, every source counted (RECOUP_RETRY_BUDGET). */
  readonly retryBudget: number
  /** Most emails + SMS one customer gets per rolling 24 h across workflows (0: no cap). */
  readonly dailyMessageCap: number
  readonly bodyLimit: number
  readonly logLevel: string
  /** Whether this process runs the engine (false for `serve --no-worker`). */
  readonly worker: boolean
  /** SQLite files: run the engine on its own thread beside the HTTP thread (RECOUP_ENGINE_THREAD, default true). */
  readonly engineThread: boolean
  /** PostgreSQL only: graphile-worker's schema (default: derived from DATABASE_URL, see workerSchemaFor). */
  readonly workerSchema: string | undefined
  /** PostgreSQL only: most connections one process opens, shared by the API, the engine and graphile-worker. */
  readonly pgPoolSize: number
  /** PostgreSQL only: jobs a worker process fetches at once for all its workers (graphile-worker's local queue; default: the concurrency; 0: off). */
  readonly pgLocalQueue: number
  /** A bearer token that may read /metrics besides API keys (for a Prometheus scraper). */
  readonly metricsToken: string | undefined
  /** Who customer messages and portal pages come from (name, logo, colour, postal address). */
  readonly business: Business
  /** Where customers' replies to emails go (a step's `reply_to` wins). */
  readonly emailReplyTo: string | undefined
}

/** Reads and validates configuration from an environment; throws ConfigError naming each bad setting. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = schema.safeParse(cleaned)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  const twilioParts = [e.RECOUP_TWILIO_ACCOUNT_SID, e.RECOUP_TWILIO_AUTH_TOKEN, e.RECOUP_TWILIO_FROM]
  if (twilioParts.some(Boolean) && !twilioParts.every(Boolean)) {
    throw new ConfigError('Invalid configuration: set all of RECOUP_TWILIO_ACCOUNT_SID, RECOUP_TWILIO_AUTH_TOKEN and RECOUP_TWILIO_FROM, or none')
  }
  const sender = parseMailbox(e.RECOUP_EMAIL_FROM)
  if (!sender) {
    throw new ConfigError('Invalid configuration:\n  RECOUP_EMAIL_FROM: must be an email address, optionally with a display name: Acme Billing <billing@acme.com>')
  }
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    host: e.RECOUP_HOST,
    port: e.RECOUP_PORT,
    publicUrl: e.RECOUP_PUBLIC_URL,
    apiKey: e.RECOUP_API_KEY,
    secret: e.RECOUP_SECRET,
    smtpUrl: e.RECOUP_SMTP_URL,
    emailFrom: e.RECOUP_EMAIL_FROM,
    twilio: e.RECOUP_TWILIO_ACCOUNT_SID
      ? Object.freeze({ accountSid: e.RECOUP_TWILIO_ACCOUNT_SID, authToken: e.RECOUP_TWILIO_AUTH_TOKEN!, from: e.RECOUP_TWILIO_FROM!, apiBase: e.RECOUP_TWILIO_API_BASE })
      : undefined,
    stripe: Object.freeze({ webhookSecret: e.RECOUP_STRIPE_WEBHOOK_SECRET, secretKey: e.RECOUP_STRIPE_SECRET_KEY, apiBase: e.RECOUP_STRIPE_API_BASE }),
    webhookSecret: e.RECOUP_WEBHOOK_SECRET,
    webhookAllowPrivate: e.RECOUP_WEBHOOK_ALLOW_PRIVATE,
    concurrency: e.RECOUP_CONCURRENCY,
    pollMs: e.RECOUP_POLL_MS,
    retry: Object.freeze({ maxAttempts: e.RECOUP_RETRY_MAX_ATTEMPTS, baseDelayMs: e.RECOUP_RETRY_BASE_MS, maxDelayMs: e.RECOUP_RETRY_MAX_MS }),
    retryBudget: e.RECOUP_RETRY_BUDGET,
    dailyMessageCap: e.RECOUP_DAILY_MESSAGE_CAP,
    bodyLimit: e.RECOUP_BODY_LIMIT,
    logLevel: e.RECOUP_LOG_LEVEL,
    worker: e.RECOUP_WORKER,
    engineThread: e.RECOUP_ENGINE_THREAD,
    workerSchema: e.RECOUP_WORKER_SCHEMA,
    pgPoolSize: e.RECOUP_PG_POOL_SIZE,
    pgLocalQueue: e.RECOUP_PG_LOCAL_QUEUE ?? e.RECOUP_CONCURRENCY,
    metricsToken: e.RECOUP_METRICS_TOKEN,
    business: Object.freeze({
      // Unset: the display name of RECOUP_EMAIL_FROM when one was set ("Acme Billing <billing@acme.com>").
      name: e.RECOUP_BUSINESS_NAME ?? (cleaned.RECOUP_EMAIL_FROM ? sender.name : undefined) ?? DEFAULT_BUSINESS.name,
      color: e.RECOUP_BRAND_COLOR ? normalizeColor(e.RECOUP_BRAND_COLOR) : DEFAULT_BUSINESS.color,
      ...(e.RECOUP_BRAND_LOGO_URL ? { logo_url: e.RECOUP_BRAND_LOGO_URL } : {}),
      ...(e.RECOUP_BUSINESS_ADDRESS ? { address: e.RECOUP_BUSINESS_ADDRESS } : {}),
    }),
    emailReplyTo: e.RECOUP_EMAIL_REPLY_TO,
  })
}
