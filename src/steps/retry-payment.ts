import { z } from 'zod'
import { defaultSchedule } from '../domain/decline-policy.js'
import { budgetAllows, DEFAULT_RETRY_BUDGET, judgeDecline } from '../domain/retry-rules.js'
import { cardHistory } from '../store/repos/card-history.js'
import { durationSchema, parseDuration } from '../domain/duration.js'
import { PermanentError } from '../domain/errors.js'
import { insertMessage } from '../store/repos/messages.js'
import { defineAction, type ActionInput, type ActionResult, type Apply } from './action.js'

const params = z.strictObject({
  /** Delays before each attempt (ISO 8601); default: the decline-aware policy. */
  schedule: z.array(durationSchema).min(1).max(12).optional(),
  /**
   * Who retries. Default: the processor when it said it will (Stripe's Smart Retries set
   * `next_payment_attempt`), so the card is never charged by two schedules; else Recoup.
   * `recoup`: Recoup retries on its own schedule (for businesses that turned Smart Retries off).
   */
  owner: z.enum(['processor', 'recoup'], { error: 'must be "processor" or "recoup"' }).optional(),
  /** Built-in provider only: where the billing team's retry requests go (else the outbox). */
  notify: z.email().optional(),
})
type Params = z.output<typeof params>

interface State {
  /** `processor`: waiting for the processor's own retries; absent: Recoup's schedule. */
  mode?: 'processor'
  attempt: number
  schedule: number[]
  next_at: number
  last_attempt_at: number
  last_code: string | null
}

interface PaymentData {
  id: string
  amount: number
  currency: string
  subscription_id?: string
  invoice_id?: string
  failure_code?: string
  decline_code?: string
  advice_code?: string
  network_advice_code?: string
  network_decline_code?: string
  card_brand?: string
  payment_method_id?: string
  card_fingerprint?: string
  next_attempt_at?: string
  reason_pending?: boolean
}

/** How long after the processor's announced attempt its outcome may take to reach us. */
const PROCESSOR_GRACE_MS = 6 * 3_600_000

/** The reason that decides (the issuer's decline code over the processor's generic one), or null. */
export function declineReason(payment: PaymentData | undefined): string | null {
  if (!payment || payment.reason_pending === true) return null
  return payment.decline_code ?? payment.failure_code ?? null
}

/**
 * Why the networks' rules forbid trying this card again (in words for the run), or undefined when
 * a retry is allowed. A workflow's schedule can only be stricter than these rules.
 */
export function noRetryBecause(payment: PaymentData | undefined): string | undefined {
  const v = judgeDecline(payment ?? {})
  return v.kind === 'never' || v.kind === 'update_card' ? v.reason : undefined
}

/** The earliest time the rules allow the next attempt after a decline at `declinedAt` (MAC 24–30). */
function earliestAfter(payment: PaymentData, declinedAt: number): { at: number; reason?: string } {
  const v = judgeDecline(payment)
  return v.kind === 'wait' ? { at: declinedAt + v.afterMs, reason: v.reason } : { at: declinedAt }
}

/**
 * Retries the failed payment on a decline-aware schedule. Hard declines are not retried (the step
 * is skipped so the workflow moves on to asking for a new card); soft declines are retried after
 * each delay; a new payment method (or the customer's "retry now" in the portal) retries at once.
 * Success records `payment.succeeded`, which ends the run as recovered.
 */
export const retryPayment = defineAction({
  type: 'retry_payment',
  title: 'Retry the payment',
  traits: { outside: true, customerMessage: false, readsRecords: true, continuesOnError: false },
  params,
  preview({ params: p, data, now }) {
    const payment = data.payment as PaymentData | undefined
    const none = noRetryBecause(payment)
    if (none) return { plan: `no retry: ${none}` }
    if (processorRetries(p, payment)) return { plan: `the processor retries at ${payment!.next_attempt_at}; Recoup adds no attempt of its own` }
    const delays = p.schedule?.map((d) => parseDuration(d)!) ?? defaultSchedule(declineReason(payment), now)
    return { plan: delays.map((ms) => `after ${Math.round(ms / 3_600_000)} h`) }
  },
  async run(input) {
    const payment = input.data.payment as PaymentData | undefined
    if (!payment) throw new PermanentError('retry_payment needs a payment: use it in a payment.failed workflow')
    const state = input.state as State | undefined
    if (!state) return start(input, payment)
    if (state.mode === 'processor') return followProcessor(input, payment, state)
    // A new card or "retry now" is attempted by the engine itself (outside this schedule).
    if (input.now < state.next_at) return waitFor(state, 'next payment retry')
    return attempt(input, payment, state)
  },
})

/** Whether the processor's own retries own this payment (so Recoup must not charge alongside). */
function processorRetries(p: Params, payment: PaymentData | undefined): boolean {
  return p.owner !== 'recoup' && typeof payment?.next_attempt_at === 'string'
}

/**
 * Waits for the processor's next attempt and its outcome. A later failure of the same invoice
 * updates the run's payment (new reason, new next attempt) and wakes it; success ends the run.
 * When the processor announces no further attempt, or its attempt brought no news, the step ends
 * and the workflow goes on (asking for a new card, an offer, …).
 */
function followProcessor(input: ActionInput<Params>, payment: PaymentData, state: State): ActionResult {
  const none = noRetryBecause(payment)
  if (none) return { status: 'completed', output: { outcome: 'no_retry', reason: none, owner: 'processor', attempts: state.attempt } }
  const next = payment.next_attempt_at ? Date.parse(payment.next_attempt_at) : NaN
  if (Number.isNaN(next)) return { status: 'completed', output: { outcome: 'processor_exhausted', owner: 'processor', last_code: declineReason(payment) } }
  const s: State = { ...state, next_at: next }
  if (input.now < next + PROCESSOR_GRACE_MS) {
    return { status: 'waiting', until: next + PROCESSOR_GRACE_MS, reason: `Stripe retries at ${new Date(next).toISOString()}`, output: { ...s } }
  }
  return { status: 'completed', output: { outcome: 'processor_silent', owner: 'processor', last_code: declineReason(payment) } }
}

function start(input: ActionInput<Params>, payment: PaymentData): ActionResult {
  const code = declineReason(payment)
  const none = noRetryBecause(payment)
  if (none) return { status: 'skipped', reason: none, output: { decline: 'hard', code, advice_code: payment.advice_code ?? null } }
  // The reason never came (the run waited for it): say so instead of guessing `card_declined`.
  const unknown = code === null || code === 'unknown'
  if (processorRetries(input.params, payment)) {
    const state: State = { mode: 'processor', attempt: 0, schedule: [], next_at: Date.parse(payment.next_attempt_at!), last_attempt_at: input.now, last_code: code }
    return followProcessor(input, payment, state)
  }
  const schedule = input.params.schedule?.map((d) => parseDuration(d)!) ?? defaultSchedule(unknown ? null : code, input.now)
  // No attempt earlier than the issuer allows, whatever the schedule says.
  const earliest = earliestAfter(payment, input.now)
  const state: State = { attempt: 0, schedule, next_at: Math.max(input.now + schedule[0]!, earliest.at), last_attempt_at: input.now, last_code: unknown ? 'unknown' : code }
  return waitFor(state, `first payment retry (${unknown ? 'decline reason unknown' : code}${earliest.reason ? `; ${earliest.reason}` : ''})`)
}

function waitFor(state: State, why: string): ActionResult {
  return { status: 'waiting', until: state.next_at, reason: `${why} at ${new Date(state.next_at).toISOString()}`, output: { ...state } }
}

async function attempt(input: ActionInput<Params>, payment: PaymentData, state: State): Promise<ActionResult> {
  // The per-card budget counts every attempt on the card: other runs, other invoices, the processor's.
  const history = await cardHistory(input.db, { customerId: input.customerId, paymentMethodId: payment.payment_method_id, fingerprint: payment.card_fingerprint, invoiceId: payment.invoice_id }, input.now)
  const budget = history ? budgetAllows(history, input.retryBudget ?? DEFAULT_RETRY_BUDGET, input.now) : { ok: true as const }
  if (!budget.ok) {
    if (budget.notBefore !== undefined) return waitFor({ ...state, next_at: budget.notBefore }, `next payment retry (${budget.reason})`)
    return { status: 'completed', output: { outcome: 'budget_exhausted', reason: `skipped: ${budget.reason}`, attempts: state.attempt, last_code: state.last_code } }
  }
  const n = state.attempt + 1
  // The first attempt's key is the step's own; later ones add the attempt number, or the provider
  // would replay the first answer instead of charging again.
  const key = n === 1 ? input.idempotencyKey : `${input.idempotencyKey}:${n}`
  const result = await input.payments.retry({
    invoiceId: payment.invoice_id,
    subscriptionId: payment.subscription_id,
    customerId: input.customerId,
    amount: payment.amount,
    currency: payment.currency,
    idempotencyKey: key,
  })
  const trigger = `attempt ${n} of ${state.schedule.length}`
  if (result.status === 'succeeded') {
    return {
      status: 'completed',
      output: { outcome: 'succeeded', attempts: n, provider_id: result.providerId, trigger },
      events: [{
        id: `retry:${key}`,
        type: 'payment.succeeded',
        customer: { id: input.customerId },
        product_ids: ((input.data.products as { id: string }[] | undefined) ?? []).map((p) => p.id),
        payment: { id: result.providerId || payment.id, amount: payment.amount, currency: payment.currency, subscription_id: payment.subscription_id, invoice_id: payment.invoice_id, attempt: n },
        metadata: { source: 'recoup_retry', run_id: input.runId, attempt: n },
      }],
    }
  }
  const code = result.failureCode ?? null
  const after = earliestAfter({ ...payment, ...(result.decline ?? {}) }, input.now)
  // The next attempt: the schedule's time, but never before the issuer allows or within 24 hours
  // of this one (the card's spacing), so the timeline shows the time that will really hold.
  const spacing = (input.retryBudget ?? DEFAULT_RETRY_BUDGET).minSpacingMs
  const next: State = { ...state, attempt: n, last_attempt_at: input.now, last_code: code ?? state.last_code, next_at: Math.max(input.now + (state.schedule[n] ?? 0), after.at, input.now + spacing) }
  const apply: Apply =
    result.status === 'failed'
      ? async (trx) =>
          void (await trx
            .insertInto('payments')
            .values({
              id: `retry:${key}`, event_id: `retry:${key}`, payment_id: payment.id, customer_id: input.customerId,
              subscription_id: payment.subscription_id ?? null, invoice_id: payment.invoice_id ?? null,
              product_ids: JSON.stringify(((input.data.products as { id: string }[] | undefined) ?? []).map((p) => p.id)),
              status: 'failed', amount: payment.amount, currency: payment.currency, failure_code: code, failure_message: result.failureMessage ?? null,
              attempt: n + 1, occurred_at: new Date(input.now).toISOString(), created_at: new Date(input.now).toISOString(),
              decline_code: result.decline?.decline_code ?? null, advice_code: result.decline?.advice_code ?? null,
              network_advice_code: result.decline?.network_advice_code ?? null, network_decline_code: result.decline?.network_decline_code ?? null,
              card_brand: result.decline?.card_brand ?? payment.card_brand ?? null, payment_method_id: result.decline?.payment_method_id ?? payment.payment_method_id ?? null,
              card_fingerprint: result.decline?.card_fingerprint ?? payment.card_fingerprint ?? null, payment_intent_id: result.decline?.payment_intent_id ?? null,
              reason_status: 'known', next_attempt_at: null, source: 'recoup_retry',
            })
            .onConflict((oc) => oc.column('id').doNothing())
            .execute())
      : async (trx) =>
          void (await insertMessage(trx, {
            run_id: input.runId, step_id: input.stepId, customer_id: input.customerId, channel: 'team',
            to: input.params.notify ?? 'billing team', subject: `Retry payment for ${input.customerId}`,
            body: `Please retry ${payment.invoice_id ? `invoice ${payment.invoice_id}` : `payment ${payment.id}`} (${payment.amount} ${payment.currency} minor units) for customer ${input.customerId}, ${trigger}. Report success as a payment.succeeded event.`,
            status: 'outbox',
          }))
  const stop = result.status === 'failed' ? noRetryBecause({ ...payment, failure_code: code ?? undefined, ...(result.decline ?? {}) }) : undefined
  if (stop) {
    return { status: 'completed', output: { outcome: 'hard_decline', code: result.decline?.decline_code ?? code, advice_code: result.decline?.advice_code ?? null, reason: stop, attempts: n }, apply }
  }
  if (n >= state.schedule.length) {
    return { status: 'completed', output: { outcome: 'exhausted', attempts: n, last_code: next.last_code }, apply }
  }
  return { status: 'waiting', until: next.next_at, reason: `payment retry ${n + 1} of ${state.schedule.length} at ${new Date(next.next_at).toISOString()}`, output: { ...next }, apply }
}
