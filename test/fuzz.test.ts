// The API fuzzer (issue 10): a few thousand hostile requests, generated from a fixed seed out of the
// app's OpenAPI document and fastify's route table (test/helpers/fuzz.ts), sent over a real socket
// to an app with seeded data. Properties: no 5xx and no hang; every error is problem+json (portal
// pages: HTML); no 2xx JSON without a key; /healthz stays up; no prototype pollution; and no request
// that was refused changes a single byte of the database.
//
// Which changes are allowed: requests go one at a time, and after each SQLite's `total_changes()`
// tells whether anything was written (then every table is compared). A change is legitimate only when the
// request was a write (POST, PUT, PATCH, DELETE; not a dry-run /test) that the app answered 2xx: a
// mutation that still validates is a real write, and the baseline moves on. Any other change (after
// a 4xx, a GET, a raw-socket request) is a finding, reported with the tables it touched. Generating
// only invalid writes would miss the bugs this looks for (a "valid-looking body with one mutation"
// that is accepted is a write, and a refused one that writes anyway is the bug); excluding all write
// routes would not test them. The worker is off so nothing else writes.
//
// Reproduce one finding from the index the report prints (`#i`): `npx tsx bench/fuzz.ts --seed <seed>
// --from <i> --requests 1` sends that request to a fresh server process; without --from/--requests
// the bench runs the same generator at volume (100,000 requests). FUZZ_SEED and FUZZ_REQUESTS
// change this test's seed and size for exploring.
import { sql, type Kysely } from 'kysely'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../src/store/schema.js'
import { DIALECTS, TEST_KEY, testApp } from './helpers/dialects.js'
import { fuzzPlan, describeRequest, type FuzzRequest } from './helpers/fuzz.js'
import { FuzzTally, portalTokens, runFuzz, seedFuzzData, type FindingKind, type Outcome } from './helpers/fuzz-harness.js'

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_121)
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 2_500)
const HEALTH_EVERY = 250
const SECRET = 'fuzz_link_secret_0123456789abcdefghijklmnop'
const PUBLIC_URL = 'http://recoup.test'

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

interface DataChange {
  readonly request: FuzzRequest
  readonly outcome: Outcome
  readonly tables: string[]
}

/**
 * Every table's rows, serialized in rowid order: byte-identical means nothing changed. Read on the
 * app's own connection: the store holds its SQLite file with EXCLUSIVE locking, so a second,
 * read-only connection is refused ("database is locked").
 */
async function snapshot(db: Kysely<Database>): Promise<Map<string, string>> {
  const { rows } = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`.execute(db)
  const out = new Map<string, string>()
  for (const { name } of rows) out.set(name, JSON.stringify((await sql.raw(`select * from "${name}" order by rowid`).execute(db)).rows))
  return out
}

/** Rows inserted, updated or deleted on the connection since it opened (a cheap "did anything write?"). */
async function totalChanges(db: Kysely<Database>): Promise<number> {
  return Number((await sql<{ n: number }>`select total_changes() as n`.execute(db)).rows[0]!.n)
}

function changedTables(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((t) => a.get(t) !== b.get(t))
}

function serverLogOf(lines: readonly string[]): string | undefined {
  const parts = lines.flatMap((line) => {
    try {
      const o = JSON.parse(line) as { level: number; msg?: string; err?: { type?: string; message?: string; stack?: string } | string }
      if (o.level < 50) return []
      const err = typeof o.err === 'string' ? o.err : o.err ? `${o.err.type ?? 'Error'}: ${o.err.message} @ ${(o.err.stack ?? '').split('\n').find((l) => l.includes('/src/'))?.trim() ?? '?'}` : ''
      return [`${o.msg ?? ''} ${err}`.trim()]
    } catch {
      return [line.slice(0, 200)]
    }
  })
  return parts.length ? parts.join(' | ') : undefined
}

describe(`API fuzz: ${REQUESTS} generated requests (seed ${SEED})`, () => {
  const tally = new FuzzTally()
  const dataChanges: DataChange[] = []
  const healthFailures: string[] = []
  let legitimateWrites = 0
  let prototypeBefore: string[] = []
  let app: Awaited<ReturnType<typeof testApp>>
  let finalSnapshotDiff: string[] = []
  const logLines: string[] = []

  beforeAll(async () => {
    const databaseUrl = await DIALECTS[0]!.freshDatabaseUrl()
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) })
    app = await testApp(DIALECTS[0]!, {
      databaseUrl,
      logger,
      env: {
        RECOUP_HOST: '127.0.0.1',
        RECOUP_PORT: '0',
        RECOUP_WORKER: 'false',
        RECOUP_SECRET: SECRET,
        RECOUP_PUBLIC_URL: PUBLIC_URL,
        RECOUP_STRIPE_WEBHOOK_SECRET: 'whsec_fuzz_0123456789abcdefghijklmnop',
        RECOUP_TWILIO_ACCOUNT_SID: 'AC_fuzz',
        RECOUP_TWILIO_AUTH_TOKEN: 'fuzz_twilio_token',
        RECOUP_TWILIO_FROM: '+15555550100',
        RECOUP_TWILIO_API_BASE: 'http://127.0.0.1:9',
      },
    })
    const port = Number(new URL(await app.listen()).port)
    const base = `http://127.0.0.1:${port}`
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${TEST_KEY}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      return { status: res.status, body: text ? JSON.parse(text) : null }
    }
    const seeded = await seedFuzzData(call)
    const plan = fuzzPlan({
      openapi: (await call('GET', '/openapi.json')).body,
      routeTree: app.http.printRoutes(),
      apiKey: TEST_KEY,
      ids: seeded.ids,
      portalTokens: portalTokens({ secret: SECRET, publicUrl: PUBLIC_URL, run: seeded.run.id, customer: seeded.run.customer }),
      validBodies: seeded.validBodies,
    })

    const db = app.store.db
    let baseline = await snapshot(db)
    let version = await totalChanges(db)
    prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort()
    let logMark = 0

    await runFuzz({
      port,
      plan,
      seed: SEED,
      count: REQUESTS,
      concurrency: 1,
      timeoutMs: 10_000,
      before: () => void (logMark = logLines.length),
      after: async (r, o) => {
        tally.add(r, o, serverLogOf(logLines.slice(logMark)))
        const now = await totalChanges(db)
        if (now !== version) {
          version = now
          const after = await snapshot(db)
          const tables = changedTables(baseline, after)
          const legitimate = WRITES.has(r.method) && !r.raw && o.status !== undefined && o.status >= 200 && o.status < 300 && !r.route.endsWith('/test')
          if (tables.length && legitimate) legitimateWrites++
          else if (tables.length) dataChanges.push({ request: r, outcome: o, tables })
          baseline = after
        }
        if ((r.index + 1) % HEALTH_EVERY === 0) {
          const res = await fetch(`${base}/healthz`).catch((err: Error) => ({ status: err.message }))
          if (res.status !== 200) healthFailures.push(`after #${r.index}: ${res.status}`)
        }
      },
    })
    const health = await fetch(`${base}/healthz`).catch((err: Error) => ({ status: err.message }))
    if (health.status !== 200) healthFailures.push(`at the end: ${health.status}`)
    finalSnapshotDiff = changedTables(baseline, await snapshot(db))
    console.log(`fuzz: ${JSON.stringify(tally.counts)}; ${tally.findings.length} findings; ${legitimateWrites} accepted writes; ${dataChanges.length} refused requests changed data`)
  }, 180_000)

  afterAll(async () => {
    await app?.close()
  })

  const expectNone = (kinds: FindingKind[]) => {
    const found = tally.findings.filter((f) => kinds.includes(f.kind))
    const only = new FuzzTally()
    only.findings.push(...found)
    expect(found.length, `\n${only.report(3)}`).toBe(0)
  }

  it('answers every request, never with a 5xx', () => expectNone(['5xx', 'hang', 'no-answer']))

  it('answers every error as problem+json with type, title, status and detail (portal pages: HTML)', () => expectNone(['not-problem-json', 'bad-problem-body']))

  it('answers unsigned Stripe deliveries 400 and serves no API data without a key', () => expectNone(['wrong-status', 'auth-bypass']))

  it('changes no data for any request it refused', () => {
    const report = dataChanges.slice(0, 10).map((c) => `${describeRequest(c.request, 200)}\n  → ${c.outcome.status ?? c.outcome.failure}; changed ${c.tables.join(', ')}`)
    expect(dataChanges.length, `\n${report.join('\n')}`).toBe(0)
    expect(finalSnapshotDiff).toEqual([])
  })

  it('keeps /healthz at 200 during and after the run', () => {
    expect(healthFailures).toEqual([])
  })

  it('leaves Object.prototype as it was (no prototype pollution)', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
