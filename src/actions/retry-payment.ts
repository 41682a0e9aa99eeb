import { z } from 'zod'
import { defaultSchedule, isHardDecline } from '../domain/decline-policy.js'
import { durationSchema, parseDuration } from '../domain/duration.js'
import { PermanentError } from '../domain/errors.js'
import { insertMessage } from '../store/messages.js'
import { defineAction, type ActionInput, type ActionResult, type Apply } from './action.js'

const params = z.strictObject({
  /** Delays before each attempt (ISO 8601); default: the decline-aware policy. */
  schedule: z.array(durationSchema).min(1).max(12).optional(),
  /** Built-in provider only: where the billing team's retry requests go (else the outbox). */
  notify: z.email().optional(),
})
type Params = z.output<typeof params>

interface State {
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
}

/**
 * Retries the failed payment on a decline-aware schedule. Hard declines are not retried (the step
 * is skipped so the workflow moves on to asking for a new card); soft declines are retried after
 * each delay; a new payment method (or the customer's "retry now" in the portal) retries at once.
 * Success records `payment.succeeded`, which ends the run as recovered.
 */
export const retryPayment = defineAction({
  type: 'retry_payment',
  params,
  preview({ params: p, data, now }) {
    const payment = data.payment as PaymentData | undefined
    if (isHardDecline(payment?.failure_code)) return { plan: `no retry: ${payment?.failure_code} is a hard decline` }
    const delays = p.schedule?.map((d) => parseDuration(d)!) ?? defaultSchedule(payment?.failure_code, now)
    return { plan: delays.map((ms) => `after ${Math.round(ms / 3_600_000)} h`) }
  },
  async run(input) {
    const payment = input.data.payment as PaymentData | undefined
    if (!payment) throw new PermanentError('retry_payment needs a payment: use it in a payment.failed workflow')
    const state = input.state as State | undefined
    if (!state) return start(input, payment)
    const changed = await newPaymentMethodSince(input, state.last_attempt_at)
    if (input.now < state.next_at && !changed) return waitFor(state, 'next payment retry')
    return attempt(input, payment, state, changed)
  },
})

function start(input: ActionInput<Params>, payment: PaymentData): ActionResult {
  const code = payment.failure_code ?? null
  if (isHardDecline(code)) {
    return { status: 'skipped', reason: `hard decline (${code}): a retry cannot succeed; ask the customer for a new card`, output: { decline: 'hard', code } }
  }
  const schedule = input.params.schedule?.map((d) => parseDuration(d)!) ?? defaultSchedule(code, input.now)
  const state: State = { attempt: 0, schedule, next_at: input.now + schedule[0], last_attempt_at: input.now, last_code: code }
  return waitFor(state, `first payment retry (${code ?? 'declined'})`)
}

function waitFor(state: State, why: string): ActionResult {
  return { status: 'waiting', until: state.next_at, reason: `${why} at ${new Date(state.next_at).toISOString()}`, output: { ...state } }
}

/** Whether the customer gave a new card or asked to retry after `since` (then: retry now). */
async function newPaymentMethodSince(input: ActionInput<Params>, since: number): Promise<boolean> {
  const row = await input.db
    .selectFrom('events')
    .select('id')
    .where('customer_id', '=', input.customerId)
    .where('type', 'in', ['payment_method.updated', 'payment.retry_requested'])
    .where('received_at', '>', new Date(since).toISOString())
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

async function attempt(input: ActionInput<Params>, payment: PaymentData, state: State, onRequest: boolean): Promise<ActionResult> {
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
  const trigger = onRequest ? 'the customer updated their payment method' : `attempt ${n} of ${state.schedule.length}`
  if (result.status === 'succeeded') {
    return {
      status: 'completed',
      output: { outcome: 'succeeded', attempts: n, provider_id: result.providerId, trigger },
      events: [{
        id: `retry:${key}`,
        type: 'payment.succeeded',
        customer: { id: input.customerId },
        product_ids: ((input.data.products as { id: string }[] | undefined) ?? []).map((p) => p.id),
        payment: { id: result.providerId ?? payment.id, amount: payment.amount, currency: payment.currency, subscription_id: payment.subscription_id, invoice_id: payment.invoice_id },
        metadata: { source: 'retry_payment', run_id: input.runId },
      }],
    }
  }
  const code = result.failureCode ?? null
  const next: State = { ...state, attempt: n, last_attempt_at: input.now, last_code: code ?? state.last_code, next_at: input.now + (state.schedule[n] ?? 0) }
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
  if (result.status === 'failed' && isHardDecline(code)) {
    return { status: 'completed', output: { outcome: 'hard_decline', code, attempts: n }, apply }
  }
  if (n >= state.schedule.length) {
    return { status: 'completed', output: { outcome: 'exhausted', attempts: n, last_code: next.last_code }, apply }
  }
  return { status: 'waiting', until: next.next_at, reason: `payment retry ${n + 1} of ${state.schedule.length} at ${new Date(next.next_at).toISOString()}`, output: { ...next }, apply }
}
