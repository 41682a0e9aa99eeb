import type { Kysely } from 'kysely'
import { openingWait, waitingStepResult } from '../steps/wait.js'
import { planIdOf, subscriptionIdOf, type RecoupEvent } from '../domain/events.js'
import { newId } from '../domain/ids.js'
import type { EventPublisher } from '../outbound/publisher.js'
import { toCustomer, type Customer } from '../store/repos/customers.js'
import type { JobQueue } from '../queue/job-queue.js'
import { finishRun } from '../store/repos/runs.js'
import type { Database, RunRow } from '../store/schema.js'
import { insertNewEvents } from '../store/sql/insert-events.js'
import { insertRuns } from '../store/sql/insert-runs.js'
import { insertStepResults } from '../store/sql/insert-step-results.js'
import { setRunContext } from '../store/sql/run-updates.js'
import { activeRunsOf } from '../store/sql/select-active-runs.js'
import { runsOfEvents } from '../store/sql/select-runs-of-events.js'
import { waitingRunsOfCustomers, waitingRunsOwnedBy } from '../store/sql/select-waiting-runs.js'
import { upsertCustomerRows } from '../store/sql/upsert-customers.js'
import { newRecordBatch } from '../triggers/record-batch.js'
import { carriesPayment, eventContext, selectedProducts, triggerMatches, triggerOf } from '../triggers/trigger.js'
import type { CatalogCache } from './catalog-cache.js'
import { collectRecords, paidInvoices, writeRecordBatch } from './records.js'
import {
  actionConcerns, applyDeclineReasons, attemptRequest, cancelsRun, laterFailure, mergeEarlierReasons, REASON_GATE, REASON_WAIT_MS, requestAttempts,
} from './money-loop.js'

export interface IngestResult {
  readonly event_id: string
  readonly duplicate: boolean
  readonly runs: readonly { id: string; workflow_id: string }[]
  /** Runs this event ended because it met their goal (absent on duplicates). */
  readonly exited_runs?: readonly string[]
  /** Why the event was stored but changed nothing (a failure of an invoice already paid). */
  readonly ignored?: string
}

export interface BatchContext {
  readonly catalog: CatalogCache
  readonly publisher: EventPublisher
  /** Where new runs' first jobs and woken runs' jobs are written. */
  readonly jobs: JobQueue
  readonly nowMs: number
}

/** True when `event` ends `run`: it meets the run's exit_on, or it accepts the run's own offer. */
export function endsRun(run: RunRow, event: RecoupEvent): boolean {
  if (event.type === 'offer.accepted' && 'run_id' in event && event.run_id === run.id) return true
  return meetsExit(run, event)
}

/** True when `event` meets the run's exit_on: right type, same customer and product / subscription / plan. */
export function meetsExit(run: RunRow, event: RecoupEvent): boolean {
  if (!(JSON.parse(run.exit_on) as string[]).includes(event.type)) return false
  if (run.customer_id !== event.customer.id) return false
  const sub = subscriptionIdOf(event)
  if (run.subscription_id && sub) return run.subscription_id === sub
  const plan = planIdOf(event)
  if (run.plan_id && plan) return run.plan_id === plan
  const runProducts = JSON.parse(run.product_ids) as string[]
  if (runProducts.length === 0 || event.product_ids.length === 0) return true
  return event.product_ids.some((p) => runProducts.includes(p))
}

/**
 * Applies events, in order, with a handful of set-based statements for the whole batch: store the
 * events (dedupe by id), upsert customers, bring records in line, end runs whose goal an event
 * meets, and start the runs of matching workflows. Semantics are those of applying the events one
 * by one: a payment.succeeded later in the batch ends a run that an earlier payment.failed started.
 */
export async function applyEventBatch(db: Kysely<Database>, events: readonly RecoupEvent[], ctx: BatchContext): Promise<IngestResult[]> {
  const now = new Date(ctx.nowMs).toISOString()
  const occurred = (e: RecoupEvent) => (e.occurred_at ? new Date(e.occurred_at).toISOString() : now)

  // 1. Events: the first copy of an id in the batch is the candidate; the database decides if it is new.
  const first = new Map<string, RecoupEvent>()
  for (const e of events) if (!first.has(e.id)) first.set(e.id, e)
  const candidates = [...first.values()]
  const inserted = await insertNewEvents(
    db,
    candidates.map((e) => ({ id: e.id, type: e.type, customer_id: e.customer.id, payload: JSON.stringify(e), occurred_at: occurred(e), received_at: now })),
  )
  const fresh = candidates.filter((e) => inserted.has(e.id))
  const knownIds = candidates.filter((e) => !inserted.has(e.id)).map((e) => e.id)
  const earlierRuns = new Map<string, { id: string; workflow_id: string }[]>()
  for (const r of await runsOfEvents(db, knownIds)) {
    ;(earlierRuns.get(r.event_id) ?? earlierRuns.set(r.event_id, []).get(r.event_id)!).push({ id: r.id, workflow_id: r.workflow_id })
  }

  const customers = await upsertCustomers(db, fresh, now)
  // Checked with the customers' rows locked (just above): a payment of the same invoice that
  // another process commits at this moment is either seen here or waits, then ends the run.
  const stale = await failuresOfPaidInvoices(db, fresh)
  const current = stale.size === 0 ? fresh : fresh.filter((e) => !stale.has(e.id))
  // A failure whose reason came first (charge.failed before invoice.payment_failed) takes it now.
  const live = await mergeEarlierReasons(db, current, ctx.nowMs)
  await applyRecords(db, live, occurred, now)

  // 2. In event order: end runs, wake runs, start runs.
  const customerIds = [...new Set(live.map((e) => e.customer.id))]
  const active = new Map<string, RunRow[]>()
  for (const r of await activeRunsOf(db, customerIds)) (active.get(r.customer_id) ?? active.set(r.customer_id, []).get(r.customer_id)!).push(r)
  const created: RunRow[] = []
  const createdBy = new Map<string, RunRow[]>()
  const exitedBy = new Map<string, string[]>()
  const endings: { run: RunRow; reason: string; status: 'exited' | 'canceled'; outcome: 'recovered' | 'offer_accepted' | 'canceled'; isNew: boolean }[] = []
  const attempts = new Map<string, string>()
  const retold = new Set<string>()
  const firstJobAt = new Map<string, number>()
  const wakeCustomers = new Set<string>()
  const wakeRuns = new Set<string>()
  const waitStarts = new Map<string, { until: number; stepId: string }>()
  const createdIds = new Set<string>()

  for (const event of live) {
    const mine = active.get(event.customer.id) ?? []
    const exited: string[] = []
    // Workflows that already recover this invoice: a later failure updates them instead.
    const recovering = new Set<string>()
    for (const run of mine) {
      if (run.status === 'exited' || run.status === 'canceled') continue
      const canceledBecause = cancelsRun(run, event)
      if (canceledBecause) {
        run.status = 'canceled'
        endings.push({ run, reason: canceledBecause, status: 'canceled', outcome: 'canceled', isNew: createdIds.has(run.id) })
        continue
      }
      const retoldContext = laterFailure(run, event)
      if (retoldContext) {
        run.context = retoldContext
        recovering.add(run.workflow_id)
        retold.add(run.id)
        continue
      }
      const request = attemptRequest(event, ctx.nowMs)
      if (request && actionConcerns(run, event) && JSON.parse(run.context).payment) attempts.set(run.id, request)
      if (!endsRun(run, event)) continue
      const reason = `goal met: ${event.type} (event ${event.id})`
      const isNew = createdIds.has(run.id)
      run.status = 'exited'
      exited.push(run.id)
      endings.push({ run, reason, status: 'exited', outcome: event.type === 'payment.succeeded' ? 'recovered' : 'offer_accepted', isNew })
    }
    exitedBy.set(event.id, exited)
    if (event.type === 'payment_method.updated' || event.type === 'payment.retry_requested') wakeCustomers.add(event.customer.id)
    if (event.type === 'offer.declined' && 'run_id' in event) wakeRuns.add(event.run_id)

    const mineNew: RunRow[] = []
    const occurredAt = occurred(event)
    for (const wf of await ctx.catalog.activeFor(db, event.type)) {
      if (recovering.has(wf.id)) continue
      const productIds = selectedProducts(wf.trigger, event)
      const products = await ctx.catalog.products(db, productIds)
      const context = eventContext(event, products, occurredAt)
      const customer = customers.get(event.customer.id)
      if (!triggerMatches(wf.trigger, event, { ...context, customer })) continue
      const run: RunRow = {
        id: newId('run'),
        workflow_id: wf.id,
        workflow_version: wf.version,
        event_id: event.id,
        customer_id: event.customer.id,
        product_ids: JSON.stringify(productIds),
        subscription_id: subscriptionIdOf(event) ?? null,
        plan_id: planIdOf(event) ?? null,
        exit_on: JSON.stringify(wf.exit_on),
        status: 'running',
        // Steps are numbered in document order, so every program starts at 0.
        cursor: 0,
        seq: 0,
        context: JSON.stringify(context),
        wait_until: null,
        wait_reason: null,
        error: null,
        created_at: now,
        updated_at: now,
        finished_at: null,
        attempt_request: null,
        outcome: null,
        ended_by: null,
      }
      // A workflow that opens with a wait is parked right here: the engine would only compute
      // the same due time a moment later, at the price of a second pass over every run.
      const firstStep = wf.steps[0]
      const opening = openingWait(firstStep, ctx.nowMs)
      if (firstStep && opening) {
        const until = opening.until
        run.status = 'waiting'
        run.wait_until = new Date(until).toISOString()
        run.wait_reason = opening.reason
        waitStarts.set(run.id, { until, stepId: firstStep.id })
        firstJobAt.set(run.id, until)
      } else if (carriesPayment(event) && event.payment.reason_pending === true) {
        // Stripe sends the reason in its own event, in no set order: the run starts when it comes
        // (or after REASON_WAIT_MS without it), so its first decision knows why the card failed.
        const until = ctx.nowMs + REASON_WAIT_MS
        run.status = 'waiting'
        run.wait_until = new Date(until).toISOString()
        run.wait_reason = REASON_GATE
        firstJobAt.set(run.id, until)
      }
      mineNew.push(run)
      created.push(run)
      createdIds.add(run.id)
      ;(active.get(event.customer.id) ?? active.set(event.customer.id, []).get(event.customer.id)!).push(run)
    }
    createdBy.set(event.id, mineNew)
  }

  // 3. Write what the loop decided.
  for (const e of endings) {
    if (e.isNew) {
      // Ended before it was stored: it is inserted already ended, with no job.
      e.run.error = e.reason
      e.run.outcome = e.outcome
      e.run.finished_at = now
      e.run.wait_until = null
      e.run.wait_reason = null
    } else {
      await finishRun(db, ctx.jobs, e.run.id, e.status, e.reason, { outcome: e.outcome })
    }
  }
  await insertRuns(db, created)
  const ended = new Set(['exited', 'canceled'])
  await ctx.jobs.scheduleMany(db, created.filter((r) => !ended.has(r.status)).map((r) => ({ runId: r.id, runAt: firstJobAt.get(r.id) ?? ctx.nowMs })))
  for (const run of active.values()) {
    for (const r of run) if (retold.has(r.id) && !createdIds.has(r.id)) await setRunContext(db, r.id, r.context)
  }
  await ctx.jobs.wake(db, [...retold].filter((id) => !createdIds.has(id)), ctx.nowMs)
  await requestAttempts(db, ctx.jobs, attempts, ctx.nowMs)
  await ctx.jobs.wake(db, await applyDeclineReasons(db, live, active, now), ctx.nowMs)
  const parked = created.filter((r) => r.status === 'waiting' && waitStarts.has(r.id))
  await insertStepResults(db, parked.map((r) => {
    const { until, stepId } = waitStarts.get(r.id)!
    return { run_id: r.id, step_id: stepId, ...waitingStepResult(until, now) }
  }))
  for (const e of endings) await ctx.publisher.runEnded(db, e.run, e.status, e.reason, e.outcome)
  if (wakeCustomers.size > 0) {
    await ctx.jobs.wake(db, await waitingRunsOfCustomers(db, [...wakeCustomers]), ctx.nowMs)
  }
  if (wakeRuns.size > 0) {
    // Only the customer's own runs: an event names a run, but cannot wake someone else's.
    const owners = live.filter((e) => e.type === 'offer.declined').map((e) => e.customer.id)
    await ctx.jobs.wake(db, await waitingRunsOwnedBy(db, [...wakeRuns], owners), ctx.nowMs)
  }

  // 4. One answer per input event, in input order.
  const answered = new Set<string>()
  return events.map((e): IngestResult => {
    const runs = (createdBy.get(e.id) ?? []).map((r) => ({ id: r.id, workflow_id: r.workflow_id }))
    if (inserted.has(e.id) && !answered.has(e.id)) {
      answered.add(e.id)
      const ignored = stale.get(e.id)
      return { event_id: e.id, duplicate: false, runs, exited_runs: exitedBy.get(e.id) ?? [], ...(ignored ? { ignored } : {}) }
    }
    return { event_id: e.id, duplicate: true, runs: inserted.has(e.id) ? runs : (earlierRuns.get(e.id) ?? []) }
  })
}

/**
 * The failures (events of a trigger that `carriesPayment`) whose invoice is already paid (stored,
 * or by a payment.succeeded earlier in the batch), with why they change nothing. Such a failure is late news: recording it
 * would mark a paid subscription past due and start a recovery for money already recovered.
 */
async function failuresOfPaidInvoices(db: Kysely<Database>, events: readonly RecoupEvent[]): Promise<Map<string, string>> {
  const stale = new Map<string, string>()
  // At most one id per event of the batch (MAX_EVENTS_PER_APPLY): one statement.
  const asked = [...new Set(events.flatMap((e) => (carriesPayment(e) && e.payment.invoice_id ? [e.payment.invoice_id] : [])))]
  if (asked.length === 0) return stale
  const paid = new Set((await paidInvoices(db, asked)).keys())
  for (const e of events) {
    if (e.type === 'payment.succeeded' && e.payment.invoice_id) paid.add(e.payment.invoice_id)
    else if (carriesPayment(e) && e.payment.invoice_id && paid.has(e.payment.invoice_id)) stale.set(e.id, 'invoice already paid')
  }
  return stale
}

/** Upserts every customer named in the batch (later events' fields win) and returns them. */
async function upsertCustomers(db: Kysely<Database>, events: readonly RecoupEvent[], now: string): Promise<Map<string, Customer>> {
  const merged = new Map<string, RecoupEvent['customer']>()
  for (const e of events) merged.set(e.customer.id, { ...merged.get(e.customer.id), ...definedOnly(e.customer) } as RecoupEvent['customer'])
  const out = new Map<string, Customer>()
  const rows = [...merged.values()].map((c) => ({
    id: c.id, email: c.email ?? null, phone: c.phone ?? null, name: c.name ?? null, time_zone: c.time_zone ?? null, locale: c.locale ?? null,
    tags: '[]', fields: '{}', sms_opt_out: 0, email_opt_out: 0, created_at: now, updated_at: now,
  }))
  for (const r of await upsertCustomerRows(db, rows)) out.set(r.id, toCustomer(r))
  return out
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

/**
 * Brings records in line with the events, in event order: a trigger's events through the trigger's
 * own `records` (src/triggers/<name>.ts), the others through `collectRecords` (src/ingest/records.ts);
 * then the collected rows are written for the whole batch, one statement per table.
 */
async function applyRecords(db: Kysely<Database>, events: readonly RecoupEvent[], occurred: (e: RecoupEvent) => string, now: string): Promise<void> {
  const batch = newRecordBatch()
  for (const e of events) {
    const at = { occurredAt: occurred(e), now }
    const trigger = triggerOf(e.type)
    if (trigger) trigger.records(e, batch, at)
    else await collectRecords(db, e, batch, at)
  }
  await writeRecordBatch(db, batch)
}
