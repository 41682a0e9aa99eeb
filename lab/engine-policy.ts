// Runs a Recoup workflow over the population with Recoup's real engine and store: an app built
// with its worker off on a fresh SQLite file, a virtual clock, and the simulated issuers as its
// payment provider. The lab plays the scheduler: it advances the runs whose jobs are due, in
// virtual-time order, and feeds the world's events (failures, new cards) through real ingest.
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CompiledQuery } from 'kysely'
import { pino } from 'pino'
import { buildApp, type App } from '../src/app.js'
import type { PaymentRetryProvider, PaymentRetryResult } from '../src/providers/stripe/payments.js'
import { loadConfig } from '../src/config.js'
import { nextDueAt } from '../src/queue/sqlite/job-queue.js'
import type { Failure } from './population.js'
import type { World } from './world.js'

const DAY = 86_400_000
/**
 * The lab's scheduler granularity: everything due within a tick happens at its end, so runs are
 * advanced in batches (as the real poller does) and nothing happens earlier than it was due.
 */
export const TICK_MS = 15 * 60_000
/** Runs advanced at once (the real scheduler's default concurrency is 64). */
const CONCURRENCY = 128
const API_KEY = 'lab_admin_key_0123456789abcdef'

/** Where the workflow comes from: a starter of Recoup's catalog, or a definition. */
export type WorkflowSource = { readonly template: string } | { readonly definition: Record<string, unknown> }

/** Where the time of an engine run went (ms of wall time), for the speed report. */
export interface EngineProfile {
  setup: number
  ingest: number
  advance: number
  dueScan: number
  emailScan: number
  ticks: number
  advances: number
  /** Runs the store says were recovered (a check on the world's ledger). */
  recoveredRuns: number
  /** New cards the customers gave (payment_method.updated events). */
  cardUpdates: number
  advanceErrors: number
}

/**
 * Runs `workflow` over the world's failures, each followed for `days` days. The world records
 * every attempt, recovery, violation and fee; the profile says where the time went.
 */
export async function runEnginePolicy(world: World, workflow: WorkflowSource, days: number, log: (line: string) => void = () => {}): Promise<EngineProfile> {
  const t0 = performance.now()
  const failures = [...world.failures].sort((a, b) => a.failAt - b.failAt || a.index - b.index)
  const start = failures[0]?.failAt ?? Date.parse(world.population.start)
  const end = Math.max(...failures.map((f) => f.failAt)) + days * DAY
  const clock = { t: start }
  const dir = mkdtempSync(join(scratchDir(), 'recoup-lab-'))
  const profile: EngineProfile = { setup: 0, ingest: 0, advance: 0, dueScan: 0, emailScan: 0, ticks: 0, advances: 0, recoveredRuns: 0, cardUpdates: 0, advanceErrors: 0 }
  let app: App | undefined
  try {
    const config = loadConfig({
      DATABASE_URL: join(dir, 'lab.db'),
      RECOUP_WORKER: 'false',
      RECOUP_LOG_LEVEL: 'silent',
      RECOUP_API_KEY: API_KEY,
      RECOUP_SECRET: 'lab-link-secret-0123456789abcdef0123456789',
      RECOUP_PUBLIC_URL: 'https://recoup.lab.example',
    })
    app = await buildApp(config, { now: () => clock.t, payments: issuerProvider(world, () => clock.t), logger: pino({ level: 'silent' }) })
    await setUp(app, workflow)
    profile.setup = performance.now() - t0

    const db = app.store.db
    let next = 0
    // Card updates the customers will make, by time (few per tick: a sorted array is enough).
    const updates: { at: number; index: number }[] = []
    const updated = new Set<number>()
    let lastMessage = 0
    let errorsLogged = 0
    for (;;) {
      let s = performance.now()
      const due = await nextDueAt(db)
      profile.dueScan += performance.now() - s
      const t = Math.min(due ?? Infinity, failures[next]?.failAt ?? Infinity, updates[0]?.at ?? Infinity)
      if (!Number.isFinite(t) || t > end) break
      clock.t = Math.max(clock.t, t + TICK_MS)
      profile.ticks++

      // The world first: payments that fail now, and customers who give a new card.
      s = performance.now()
      const events: Record<string, unknown>[] = []
      while (next < failures.length && failures[next]!.failAt <= clock.t) events.push(failedEvent(world, failures[next++]!))
      while (updates.length > 0 && updates[0]!.at <= clock.t) {
        const u = updates.shift()!
        if (world.isRecovered(u.index)) continue
        profile.cardUpdates++
        events.push({
          id: `evt_lab_card_${u.index}`, type: 'payment_method.updated', occurred_at: new Date(u.at).toISOString(),
          customer: { id: world.failures[u.index]!.customerId }, payment_method_id: `pm_lab_${u.index}_new`,
        })
      }
      await Promise.all(events.map((e) => app!.ingestor.accept(e)))
      profile.ingest += performance.now() - s

      // Then every run that is due, until none is.
      for (let round = 0; ; round++) {
        s = performance.now()
        const rows = await db.selectFrom('jobs').select('run_id').where('run_at', '<=', clock.t).orderBy('run_at').orderBy('run_id').limit(5000).execute()
        profile.dueScan += performance.now() - s
        if (rows.length === 0) break
        if (round > 1000) throw new Error(`runs keep coming due at ${new Date(clock.t).toISOString()}: ${rows.slice(0, 3).map((r) => r.run_id).join(', ')}`)
        s = performance.now()
        await inPool(rows.map((r) => r.run_id), CONCURRENCY, async (runId) => {
          profile.advances++
          try {
            await app!.engine!.advance(runId)
          } catch (err) {
            profile.advanceErrors++
            if (errorsLogged++ < 5) log(`advancing ${runId} failed: ${(err as Error).message}`)
            const then = await app!.engine!.onAdvanceError(runId, err)
            if (then === 'retry') await app!.jobs.schedule(db, runId, clock.t + 5_000)
          }
        })
        profile.advance += performance.now() - s
      }

      // Customer emails sent in this tick: the customers read them (or not).
      s = performance.now()
      const sent = await db.executeQuery<{ rid: number; customer_id: string }>(
        CompiledQuery.raw(`select rowid as rid, customer_id from messages where rowid > ? and channel = 'email' and status in ('outbox', 'sent') order by rowid`, [lastMessage]),
      )
      for (const m of sent.rows) {
        lastMessage = Math.max(lastMessage, Number(m.rid))
        const index = indexOfCustomer(m.customer_id)
        if (index === undefined || updated.has(index)) continue
        const at = world.emailReceived(index, clock.t)
        if (at === undefined || at > world.failures[index]!.failAt + days * DAY) continue
        updated.add(index)
        updates.push({ at, index })
      }
      updates.sort((a, b) => a.at - b.at || a.index - b.index)
      profile.emailScan += performance.now() - s
    }
    const recovered = await db.selectFrom('runs').select((eb) => eb.fn.countAll<number>().as('n')).where('outcome', '=', 'recovered').executeTakeFirst()
    profile.recoveredRuns = Number(recovered?.n ?? 0)
    return profile
  } finally {
    await app?.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The product and the workflow under test, active for any product. */
async function setUp(app: App, source: WorkflowSource): Promise<void> {
  const inject = async (method: 'GET' | 'POST', url: string, body?: object) => {
    const res = await app.http.inject({ method, url, headers: { authorization: `Bearer ${API_KEY}` }, ...(body ? { payload: body } : {}) })
    const parsed = res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {}
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body.slice(0, 2000)}`)
    return parsed
  }
  await inject('POST', '/v1/products', { id: 'prod_lab', name: 'Lab subscription' })
  const def = 'template' in source ? await inject('GET', `/v1/workflow-templates/${encodeURIComponent(source.template)}`) : source.definition
  const trigger = (def.trigger ?? {}) as Record<string, unknown>
  await inject('POST', '/v1/workflows', { ...def, id: 'lab_policy', status: 'active', trigger: { ...trigger, products: ['*'] } })
}

/** The payment.failed event of a failure, as a processor reports it. */
function failedEvent(world: World, f: Failure): Record<string, unknown> {
  const d = world.firstDecline(f.index)
  return {
    id: `evt_lab_fail_${f.index}`,
    type: 'payment.failed',
    occurred_at: new Date(f.failAt).toISOString(),
    customer: { id: f.customerId, email: `customer${f.index}@lab.example.com` },
    product_ids: ['prod_lab'],
    payment: {
      id: `pay_lab_${f.index}`, amount: f.amount, currency: world.population.currency,
      subscription_id: `sub_lab_${f.index}`, invoice_id: `in_lab_${f.index}`, attempt: 1, ...d,
    },
  }
}

/** The simulated issuers as Recoup's payment provider: each attempt goes to the world at the clock's time. */
function issuerProvider(world: World, now: () => number): PaymentRetryProvider {
  // A repeated idempotency key gets the first answer, as a processor would give it.
  const answered = new Map<string, PaymentRetryResult>()
  return {
    async retry(input) {
      const seen = answered.get(input.idempotencyKey)
      if (seen) return seen
      const index = indexOfInvoice(input.invoiceId)
      if (index === undefined) throw new Error(`the lab knows no invoice ${input.invoiceId ?? '(none)'}`)
      const r = world.attempt(index, now(), { newCard: input.paymentMethodId !== undefined })
      const result: PaymentRetryResult = r.succeeded
        ? { status: 'succeeded', providerId: `ch_lab_${index}_${answered.size}` }
        : { status: 'failed', failureCode: r.decline?.failure_code, failureMessage: 'Your card was declined.', ...(r.decline ? { decline: r.decline } : {}) }
      answered.set(input.idempotencyKey, result)
      return result
    },
  }
}

/**
 * Where the lab's database goes: memory-backed /dev/shm when the machine has one (the data is
 * thrown away after the run, and the lab measures policies, not disks), else the temp dir.
 */
function scratchDir(): string {
  try {
    accessSync('/dev/shm', constants.W_OK)
    return '/dev/shm'
  } catch {
    return tmpdir()
  }
}

function indexOfInvoice(id: string | undefined): number | undefined {
  const m = /^in_lab_(\d+)$/.exec(id ?? '')
  return m ? Number(m[1]) : undefined
}

function indexOfCustomer(id: string | null): number | undefined {
  const m = /^cus_lab_(\d+)$/.exec(id ?? '')
  return m ? Number(m[1]) : undefined
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let i = 0
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (i < items.length) await work(items[i++]!)
  })
  await Promise.all(lanes)
}
