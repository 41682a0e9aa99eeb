// One payment attempt outside a run's schedule: the customer gave a new card, or pressed "retry my
// payment now". It happens whatever step the run is in (a wait, a message, between retries), does
// not use up the retry schedule, and sends no "still due" message of its own.
import type { Kysely } from 'kysely'
import type { PaymentRetryProvider, PaymentRetryResult } from '../providers/stripe/payments.js'
import { PermanentError, RetryLaterError } from '../domain/errors.js'
import { budgetAllows, judgeDecline, type RetryBudget } from '../domain/retry-rules.js'
import { cardHistory } from '../store/repos/card-history.js'
import { insertMessage } from '../store/repos/messages.js'
import { addRunNote, clearAttemptRequest, recordAttemptPayment, replaceAttemptRequest, setRunContext } from '../store/repos/run-changes.js'
import type { Database, RunRow } from '../store/schema.js'

/** What a run was asked for (runs.attempt_request, written by ingest). */
export interface AttemptRequest {
  readonly reason: 'new_card' | 'customer_request'
  readonly payment_method_id?: string
  readonly event_id?: string
  readonly at: number
  /** Tries so far that the processor could not answer. */
  readonly tries?: number
}

/** The payment a run recovers, as its event snapshot holds it. */
export interface PaymentSnapshot {
  id: string
  amount: number
  currency: string
  subscription_id?: string
  invoice_id?: string
  payment_method_id?: string
  card_fingerprint?: string
}

export interface AttemptNowDeps {
  readonly db: Kysely<Database>
  readonly payments: PaymentRetryProvider
  /** Runs work in a transaction of the engine's (its group commit). */
  readonly transact: <T>(work: (trx: Kysely<Database>) => Promise<T>) => Promise<T>
  readonly recordEvent: (trx: Kysely<Database>, event: Record<string, unknown>) => Promise<unknown>
  readonly schedule: (trx: Kysely<Database>, runId: string, at: number) => Promise<void>
  readonly now: () => number
  readonly budget: RetryBudget
}

/** How long to wait before asking a processor that did not answer again, and how often. */
const RETRY_LATER_MS = 30_000
const MAX_TRIES = 5

/** Where the money came from when this attempt succeeds (analytics' `by_source`). */
export function attemptSource(request: AttemptRequest): 'card_update' | 'customer_retry' {
  return request.reason === 'new_card' ? 'card_update' : 'customer_retry'
}

/**
 * Makes the attempt a run was asked for and records its outcome with the request cleared, in one
 * transaction: paid → `payment.succeeded` (which meets the run's goal); declined → the attempt is
 * stored with its reason and the run's payment takes the new reason; the built-in provider → the
 * billing team is asked. Returns `later` when the processor could not answer (the run's job is
 * moved a little later and the request kept), else `done`.
 */
export async function attemptNow(run: RunRow, context: Record<string, unknown>, deps: AttemptNowDeps): Promise<'done' | 'later'> {
  const raw = run.attempt_request!
  const request = JSON.parse(raw) as AttemptRequest
  const payment = context.payment as PaymentSnapshot | undefined
  const clear = (trx: Kysely<Database>) => clearAttemptRequest(trx, run.id, raw)
  if (!payment) {
    await deps.transact(async (trx) => void (await clear(trx)))
    return 'done'
  }
  // The same card again (the customer's "retry now"): the networks' rules and the card's budget
  // still hold; only the 24-hour spacing gives way to the customer's own request. A new card
  // starts afresh.
  if (request.reason === 'customer_request') {
    const card = payment
    const rule = judgeDecline(card as never)
    const history = await cardHistory(deps.db, { customerId: run.customer_id, paymentMethodId: card.payment_method_id, fingerprint: card.card_fingerprint, invoiceId: payment.invoice_id }, deps.now())
    const budget = history ? budgetAllows(history, deps.budget, deps.now(), { customerAsked: true }) : { ok: true as const }
    const refusal = rule.kind === 'never' || rule.kind === 'update_card' ? rule.reason : budget.ok ? undefined : budget.reason
    if (refusal) {
      await deps.transact(async (trx) => {
        await clear(trx)
        await addRunNote(trx, { id: `note:${run.id}:${request.event_id ?? request.at}`, customerId: run.customer_id, runId: run.id, body: `Not retried after the customer ${what(request)}: ${refusal}`, at: new Date(deps.now()).toISOString() })
      })
      return 'done'
    }
  }
  const key = request.reason === 'new_card' ? `${run.id}:card:${request.payment_method_id ?? request.event_id ?? request.at}` : `${run.id}:now:${request.event_id ?? request.at}`
  const source = attemptSource(request)
  const nowMs = deps.now()
  let result: PaymentRetryResult
  try {
    result = await deps.payments.retry({
      invoiceId: payment.invoice_id,
      subscriptionId: payment.subscription_id,
      customerId: run.customer_id,
      amount: payment.amount,
      currency: payment.currency,
      idempotencyKey: key,
      ...(request.payment_method_id ? { paymentMethodId: request.payment_method_id } : {}),
    })
  } catch (err) {
    const tries = (request.tries ?? 0) + 1
    if (err instanceof RetryLaterError && tries < MAX_TRIES) {
      await deps.transact(async (trx) => {
        await replaceAttemptRequest(trx, run.id, raw, JSON.stringify({ ...request, tries }))
        await deps.schedule(trx, run.id, nowMs + RETRY_LATER_MS)
      })
      return 'later'
    }
    const why = err instanceof Error ? err.message : String(err)
    await deps.transact(async (trx) => {
      await clear(trx)
      await addRunNote(trx, { id: `note:${key}`, customerId: run.customer_id, runId: run.id, body: `The payment attempt after the customer ${what(request)} could not be made: ${why}`, at: new Date(nowMs).toISOString() })
    })
    if (!(err instanceof PermanentError) && !(err instanceof RetryLaterError)) throw err
    return 'done'
  }
  const products = ((context.products as { id: string }[] | undefined) ?? []).map((p) => p.id)
  await deps.transact(async (trx) => {
    await clear(trx)
    if (result.status === 'succeeded') {
      await deps.recordEvent(trx, {
        id: `attempt:${key}`,
        type: 'payment.succeeded',
        customer: { id: run.customer_id },
        product_ids: products,
        payment: { id: result.providerId || payment.id, amount: payment.amount, currency: payment.currency, subscription_id: payment.subscription_id, invoice_id: payment.invoice_id },
        metadata: { source, run_id: run.id },
      })
      return
    }
    if (result.status === 'requested') {
      await insertMessage(trx, {
        run_id: run.id, step_id: null, customer_id: run.customer_id, channel: 'team', to: 'billing team',
        subject: `${run.customer_id} ${what(request)}`,
        body: `The customer ${what(request)}. Please retry ${payment.invoice_id ? `invoice ${payment.invoice_id}` : `payment ${payment.id}`} (${payment.amount} ${payment.currency} minor units) now and report success as a payment.succeeded event.`,
        status: 'outbox',
      })
      return
    }
    const d = result.decline ?? {}
    const at = new Date(nowMs).toISOString()
    await recordAttemptPayment(trx, {
      id: `attempt:${key}`, event_id: `attempt:${key}`, payment_id: payment.id, customer_id: run.customer_id,
      subscription_id: payment.subscription_id ?? null, invoice_id: payment.invoice_id ?? null, product_ids: JSON.stringify(products),
      status: 'failed', amount: payment.amount, currency: payment.currency,
      failure_code: d.failure_code ?? result.failureCode ?? null, failure_message: d.failure_message ?? result.failureMessage ?? null,
      attempt: null, occurred_at: at, created_at: at,
      decline_code: d.decline_code ?? null, advice_code: d.advice_code ?? null, network_advice_code: d.network_advice_code ?? null,
      network_decline_code: d.network_decline_code ?? null, card_brand: d.card_brand ?? null,
      payment_method_id: d.payment_method_id ?? request.payment_method_id ?? null, card_fingerprint: d.card_fingerprint ?? null,
      payment_intent_id: d.payment_intent_id ?? null, reason_status: 'known', next_attempt_at: null, source,
    })
    // The run goes on with the new card's reason (a retry decision must use the latest one).
    const fresh = { ...payment, failure_code: result.failureCode, ...d, reason_pending: false }
    await setRunContext(trx, run.id, JSON.stringify({ ...context, payment: fresh }))
  })
  return 'done'
}

function what(request: AttemptRequest): string {
  return request.reason === 'new_card' ? 'gave a new card' : 'asked for a retry'
}
