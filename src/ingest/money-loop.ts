// What ingest does with the money loop's facts: decline reasons that arrive apart from their
// failure (in either order), a recovery per invoice (a processor's own retry that fails again
// updates the recovery instead of starting another), subscriptions and invoices that can no longer
// be paid, and a new card or the customer's "retry now" as one payment attempt outside the schedule.
import type { Kysely } from 'kysely'
import { declineOf, type RecoupEvent } from '../domain/events.js'
import type { JobQueue } from '../queue/job-queue.js'
import type { Database, RunRow } from '../store/schema.js'
import {
  deleteReasons, failuresAwaitingReason, keepReason, recentExplainedFailures, setPaymentReason, storedReasons,
} from '../store/sql/decline-reasons.js'
import { setAttemptRequest, setRunContext } from '../store/sql/run-updates.js'
import { carriesPayment } from '../triggers/trigger.js'

/** How long a failure waits for its reason before the run goes on without it. */
export const REASON_WAIT_MS = 60_000
/** How far apart a failure and a reason matched by amount (not by id) may be. */
const MATCH_WINDOW_MS = 60 * 60_000

export const REASON_GATE = 'waiting for the decline reason'

type PaymentFailed = Extract<RecoupEvent, { payment: unknown }>
type DeclineReason = Extract<RecoupEvent, { type: 'payment.decline_reason' }>

/** How long after a failure took its reason a second copy of that reason is recognized as one. */
const TWIN_WINDOW_MS = 10 * 60_000

/**
 * True when two reasons say the same thing about the same card. Stripe sends each reason twice
 * (`charge.failed` and `payment_intent.payment_failed`); the copy must not be kept for a later
 * failure of the same invoice, which it would explain wrongly.
 */
function sameDecline(a: DeclineReason['decline'], b: { decline_code?: string | null; failure_code?: string | null; payment_method_id?: string | null }): boolean {
  if ((a.decline_code ?? a.failure_code ?? null) !== (b.decline_code ?? b.failure_code ?? null)) return false
  return !a.payment_method_id || !b.payment_method_id || a.payment_method_id === b.payment_method_id
}

/** True when the reason fits the failure: same invoice or attempt, or (no ids) same amount and currency. */
function fits(reason: DeclineReason['decline'], payment: { invoice_id?: string | null; payment_intent_id?: string | null; amount: number; currency: string }): boolean {
  if (reason.invoice_id && payment.invoice_id) return reason.invoice_id === payment.invoice_id
  if (reason.payment_intent_id && payment.payment_intent_id) return reason.payment_intent_id === payment.payment_intent_id
  return reason.amount === payment.amount && reason.currency === payment.currency
}

/**
 * Failures whose reason is still on its way take it from a reason that came first (stored in
 * `decline_reasons`, or earlier in this batch). Returns the events with reasons merged in.
 */
export async function mergeEarlierReasons(db: Kysely<Database>, events: readonly RecoupEvent[], nowMs: number): Promise<RecoupEvent[]> {
  const waiting = events.filter((e): e is PaymentFailed => carriesPayment(e) && e.payment.reason_pending === true)
  if (waiting.length === 0) return [...events]
  const since = new Date(nowMs - MATCH_WINDOW_MS).toISOString()
  const stored = await storedReasons(db, [...new Set(waiting.map((e) => e.customer.id))], since)
  const pool = stored.map((r) => ({
    id: r.id as string | undefined,
    customer: r.customer_id,
    reason: { ...(JSON.parse(r.details) as DeclineReason['decline']), ...(r.invoice_id ? { invoice_id: r.invoice_id } : {}), ...(r.payment_intent_id ? { payment_intent_id: r.payment_intent_id } : {}), ...(r.amount !== null ? { amount: Number(r.amount) } : {}), ...(r.currency ? { currency: r.currency } : {}) },
  }))
  const used: string[] = []
  const out: RecoupEvent[] = []
  for (const e of events) {
    if (e.type === 'payment.decline_reason') pool.push({ id: undefined, customer: e.customer.id, reason: e.decline })
    if (!carriesPayment(e) || e.payment.reason_pending !== true) {
      out.push(e)
      continue
    }
    const at = pool.findIndex((p) => p.customer === e.customer.id && fits(p.reason, e.payment))
    if (at < 0) {
      out.push(e)
      continue
    }
    const [match] = pool.splice(at, 1)
    if (match!.id) used.push(match!.id)
    for (let i = pool.length - 1; i >= 0; i--) {
      const twin = pool[i]!
      if (twin.customer !== e.customer.id || !fits(twin.reason, e.payment) || !sameDecline(twin.reason, match!.reason)) continue
      pool.splice(i, 1)
      if (twin.id) used.push(twin.id)
    }
    const attempt = e.payment.payment_intent_id ?? match!.reason.payment_intent_id
    out.push({ ...e, payment: { ...e.payment, ...declineOf(match!.reason), ...(attempt ? { payment_intent_id: attempt } : {}), reason_pending: false } })
  }
  await deleteReasons(db, used)
  return out
}

/**
 * Reasons for failures already stored: the payment takes them, and so do the runs that recover
 * it (their event snapshot), which wake if they were waiting for it. A reason whose failure has not
 * come yet is kept for it. Returns the runs to wake.
 */
export async function applyDeclineReasons(db: Kysely<Database>, events: readonly RecoupEvent[], active: ReadonlyMap<string, RunRow[]>, now: string): Promise<string[]> {
  const wake: string[] = []
  for (const e of events) {
    if (e.type !== 'payment.decline_reason') continue
    const r = e.decline
    const candidates = await failuresAwaitingReason(db, e.customer.id)
    const payment = candidates.find((p) => fits(r, { ...p, amount: Number(p.amount) }))
    if (!payment) {
      // Arrived first (or its failure was never sent to us): kept for the failure to pick up,
      // unless it is the copy of a reason a failure already took.
      if (await tookItAlready(db, e, now)) continue
      if (candidates.length === 0 || r.invoice_id || r.payment_intent_id || r.amount !== undefined) {
        await keepReason(db, {
          id: e.id, customer_id: e.customer.id, invoice_id: r.invoice_id ?? null, payment_intent_id: r.payment_intent_id ?? null,
          amount: r.amount ?? null, currency: r.currency ?? null, details: JSON.stringify(declineOf(r)), occurred_at: e.occurred_at ?? now, created_at: now,
        })
      }
      continue
    }
    const fields = declineOf(r)
    await setPaymentReason(db, payment.id, {
        reason_status: fields.failure_code === 'unknown' ? 'unknown' : 'known',
        failure_code: fields.failure_code ?? null,
        failure_message: fields.failure_message ?? null,
        decline_code: fields.decline_code ?? null,
        advice_code: fields.advice_code ?? null,
        network_advice_code: fields.network_advice_code ?? null,
        network_decline_code: fields.network_decline_code ?? null,
        card_brand: fields.card_brand ?? null,
        payment_method_id: fields.payment_method_id ?? null,
        card_fingerprint: fields.card_fingerprint ?? null,
        ...(r.payment_intent_id ? { payment_intent_id: r.payment_intent_id } : {}),
    })
    for (const run of active.get(e.customer.id) ?? []) {
      const context = JSON.parse(run.context) as { payment?: Record<string, unknown> }
      if (!context.payment || context.payment.id !== payment.payment_id) continue
      context.payment = { ...context.payment, ...fields, reason_pending: false }
      run.context = JSON.stringify(context)
      await setRunContext(db, run.id, run.context)
      if (run.status === 'waiting' && run.wait_reason === REASON_GATE) wake.push(run.id)
    }
  }
  return wake
}

/** True when a failure of the last minutes already carries this reason (its twin came first). */
async function tookItAlready(db: Kysely<Database>, e: DeclineReason, now: string): Promise<boolean> {
  const known = await recentExplainedFailures(db, e.customer.id, new Date(Date.parse(now) - TWIN_WINDOW_MS).toISOString())
  return known.some((p) => fits(e.decline, { ...p, amount: Number(p.amount) }) && sameDecline(e.decline, p))
}

/** The invoice a run recovers, from its event snapshot. */
export function invoiceOfRun(run: RunRow): string | undefined {
  const invoice = (JSON.parse(run.context) as { payment?: { invoice_id?: unknown } }).payment?.invoice_id
  return typeof invoice === 'string' ? invoice : undefined
}

/** Why `event` ends `run` unpaid (the subscription or invoice can no longer be paid), or undefined. */
export function cancelsRun(run: RunRow, event: RecoupEvent): string | undefined {
  if (run.customer_id !== event.customer.id) return undefined
  if (event.type === 'subscription.ended' && run.subscription_id === event.subscription_id) {
    return `the subscription ended (${event.status}): nothing more will be charged`
  }
  if (event.type === 'invoice.closed' && invoiceOfRun(run) === event.invoice_id) {
    return `the invoice was ${event.status === 'void' ? 'voided' : 'marked uncollectible'}: nothing more will be charged`
  }
  return undefined
}

/**
 * A later failure of the invoice a run already recovers (the processor's own retry failed again):
 * the run takes the new attempt's facts (when the processor tries next, the new reason) instead of
 * a second recovery starting. Returns the updated snapshot, or undefined when the run is another's.
 */
export function laterFailure(run: RunRow, event: RecoupEvent): string | undefined {
  if (!carriesPayment(event) || !event.payment.invoice_id) return undefined
  if (run.customer_id !== event.customer.id || invoiceOfRun(run) !== event.payment.invoice_id) return undefined
  const context = JSON.parse(run.context) as { payment?: Record<string, unknown> }
  const { next_attempt_at: _gone, ...before } = context.payment ?? {}
  context.payment = { ...before, ...event.payment }
  return JSON.stringify(context)
}

/** The JSON kept on a run asked for one attempt outside its schedule. */
export function attemptRequest(event: RecoupEvent, nowMs: number): string | undefined {
  if (event.type === 'payment_method.updated') {
    return JSON.stringify({ reason: 'new_card', ...(event.payment_method_id ? { payment_method_id: event.payment_method_id } : {}), event_id: event.id, at: nowMs })
  }
  if (event.type === 'payment.retry_requested') return JSON.stringify({ reason: 'customer_request', event_id: event.id, at: nowMs })
  return undefined
}

/** True when a customer action concerns this run (same subscription / plan when the event names one). */
export function actionConcerns(run: RunRow, event: RecoupEvent): boolean {
  if (run.customer_id !== event.customer.id) return false
  if (!('subscription_id' in event) && !('installment_plan_id' in event)) return true
  const sub = 'subscription_id' in event ? event.subscription_id : undefined
  const plan = 'installment_plan_id' in event ? event.installment_plan_id : undefined
  if (sub && run.subscription_id) return sub === run.subscription_id
  if (plan && run.plan_id) return plan === run.plan_id
  return true
}

/** Writes attempt requests and wakes those runs (their job is due now). */
export async function requestAttempts(db: Kysely<Database>, jobs: JobQueue, requests: ReadonlyMap<string, string>, nowMs: number): Promise<void> {
  if (requests.size === 0) return
  for (const [runId, request] of requests) {
    await setAttemptRequest(db, runId, request)
  }
  await jobs.wake(db, [...requests.keys()], nowMs)
}
