import type { RecoupEvent } from '../domain/events.js'
import type { PaymentRow } from '../store/schema.js'
import type { CanceledPlan } from '../store/sql/upsert-canceled-plans.js'
import type { EndedSubscription, PaidSubscription } from '../store/sql/upsert-subscriptions.js'

/**
 * The record rows a batch of events changes, collected in event order and then written with one
 * statement per table (`writeRecordBatch` in src/ingest/records.ts): a batch of a thousand
 * failures costs four statements, not four thousand. Keyed rows are replaced by a later event of
 * the same batch, so the last one decides, as if the events were applied one by one.
 */
export interface RecordBatch {
  /** Every payment attempt, one row per event. */
  readonly payments: PaymentRow[]
  /** By subscription id: its last payment in the batch sets its status, amount and currency. */
  readonly subscriptions: Map<string, PaidSubscription>
  /** By subscription id: subscriptions that ended and no payment of the batch named. */
  readonly endedSubscriptions: Map<string, EndedSubscription>
  /** By plan id: installment plans as their cancellation leaves them. */
  readonly canceledPlans: Map<string, CanceledPlan>
}

/** When an event happened (or was received) and when the batch is written. */
export interface RecordTimes {
  readonly occurredAt: string
  readonly now: string
}

/** An empty batch of record rows. */
export function newRecordBatch(): RecordBatch {
  return { payments: [], subscriptions: new Map(), endedSubscriptions: new Map(), canceledPlans: new Map() }
}

type PaymentEvent = Extract<RecoupEvent, { payment: unknown }>
/** The columns of a payment row whose value depends on how the payment went. */
export type PaymentOutcome = Pick<
  PaymentRow,
  'status' | 'failure_code' | 'failure_message' | 'decline_code' | 'advice_code' | 'network_advice_code' | 'network_decline_code'
  | 'reason_status' | 'next_attempt_at'
>

/**
 * A payment's row: the columns a failed and a succeeded payment take alike from their event, and the
 * outcome that each gives (payment-failed.ts, and payment.succeeded in src/ingest/records.ts).
 */
export function paymentRow(event: PaymentEvent, outcome: PaymentOutcome, at: RecordTimes): PaymentRow {
  const p = event.payment
  // One literal, not a spread of shared columns plus the outcome: V8 builds such a wide spread
  // object about ten times slower (some 20 µs a row), a fifth of ingest's CPU per event.
  return {
    id: event.id, event_id: event.id, payment_id: p.id, customer_id: event.customer.id, subscription_id: p.subscription_id ?? null,
    invoice_id: p.invoice_id ?? null, product_ids: JSON.stringify(event.product_ids), status: outcome.status, amount: p.amount,
    currency: p.currency, failure_code: outcome.failure_code, failure_message: outcome.failure_message, attempt: p.attempt ?? null,
    occurred_at: at.occurredAt, created_at: at.now, decline_code: outcome.decline_code, advice_code: outcome.advice_code,
    network_advice_code: outcome.network_advice_code, network_decline_code: outcome.network_decline_code, card_brand: p.card_brand ?? null,
    payment_method_id: p.payment_method_id ?? null, card_fingerprint: p.card_fingerprint ?? null, payment_intent_id: p.payment_intent_id ?? null,
    reason_status: outcome.reason_status, next_attempt_at: outcome.next_attempt_at,
    source: typeof event.metadata?.source === 'string' ? event.metadata.source.slice(0, 40) : null,
  }
}

/** Records what a payment tells of its subscription (status `past_due` or `active`); a later payment of the batch replaces it. */
export function setSubscriptionOfPayment(batch: RecordBatch, event: PaymentEvent, status: 'past_due' | 'active', at: RecordTimes): void {
  const p = event.payment
  if (!p.subscription_id) return
  batch.subscriptions.set(p.subscription_id, {
    id: p.subscription_id, customer_id: event.customer.id, product_ids: JSON.stringify(event.product_ids), status,
    amount: p.amount, currency: p.currency, created_at: at.now, updated_at: at.now,
  })
}
