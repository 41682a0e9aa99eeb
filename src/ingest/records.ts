import type { Kysely } from 'kysely'
import type { RecoupEvent } from '../domain/events.js'
import type { Database } from '../store/schema.js'
import { insertPayments } from '../store/sql/insert-payments.js'
import { extendPlan, extendSubscription, upsertRestructuredPlan } from '../store/sql/record-changes.js'
import { upsertCanceledPlans } from '../store/sql/upsert-canceled-plans.js'
import { upsertEndedSubscriptions, upsertPaidSubscriptions } from '../store/sql/upsert-subscriptions.js'
import { paymentRow, setSubscriptionOfPayment, type PaymentOutcome, type RecordBatch, type RecordTimes } from '../triggers/record-batch.js'

export { paidInvoices } from '../store/sql/select-paid-invoices.js'

// Where each event's record effect lives:
// - a trigger's events (payment.failed, installment_plan.canceled): the trigger's `records` in
//   src/triggers/<name>.ts, collected into the batch's RecordBatch;
// - payment.succeeded and subscription.ended: `collectRecords` below, into the same RecordBatch;
// - installment_plan.restructured and payment.extended (accepted offers): `applyToRecords` below,
//   written at once, one event at a time (they are rare).
// apply-batch.ts calls these in event order and then `writeRecordBatch`, one statement per table.

const SUCCEEDED: PaymentOutcome = {
  status: 'succeeded', failure_code: null, failure_message: null, decline_code: null, advice_code: null, network_advice_code: null,
  network_decline_code: null, reason_status: null, next_attempt_at: null,
}

/**
 * The record effect of an event that is no trigger's: adds its rows to the batch (payment.succeeded,
 * subscription.ended) or applies it now (accepted offers, see `applyToRecords`).
 */
export async function collectRecords(db: Kysely<Database>, event: RecoupEvent, batch: RecordBatch, at: RecordTimes): Promise<void> {
  if (event.type === 'payment.succeeded') {
    // The attempt succeeded: no failure fields, and its subscription is active again.
    batch.payments.push(paymentRow(event, SUCCEEDED, at))
    setSubscriptionOfPayment(batch, event, 'active', at)
  } else if (event.type === 'subscription.ended') {
    // A payment earlier in the batch already has the subscription's row: it ends there.
    const known = batch.subscriptions.get(event.subscription_id)
    if (known) known.status = event.status
    else {
      batch.endedSubscriptions.set(event.subscription_id, {
        id: event.subscription_id, customer_id: event.customer.id, product_ids: JSON.stringify(event.product_ids), status: event.status,
        created_at: at.now, updated_at: at.now,
      })
    }
  } else {
    await applyToRecords(db, event, at.occurredAt, at.now)
  }
}

/** Writes a batch's collected rows: payments, subscriptions (paid, then ended) and canceled plans, one statement per table. */
export async function writeRecordBatch(db: Kysely<Database>, batch: RecordBatch): Promise<void> {
  await insertPayments(db, batch.payments)
  await upsertPaidSubscriptions(db, [...batch.subscriptions.values()])
  await upsertEndedSubscriptions(db, [...batch.endedSubscriptions.values()])
  await upsertCanceledPlans(db, [...batch.canceledPlans.values()])
}

/**
 * Record changes of accepted offers, written at once (before the batch's collected rows): a
 * restructured plan is re-created (active, new totals and schedule); an extension records the new
 * due date — a subscription stays past_due (the money is still unpaid, only later), while a plan
 * becomes active again because its balance is now on a valid schedule.
 */
async function applyToRecords(db: Kysely<Database>, event: RecoupEvent, occurredAt: string, now: string): Promise<void> {
  const customerId = event.customer.id
  if (event.type === 'installment_plan.restructured') {
    const p = event.installment_plan
    await upsertRestructuredPlan(db, {
      id: p.id,
      customer_id: customerId,
      product_ids: JSON.stringify(event.product_ids),
      reason: null,
      created_at: now,
      status: 'active',
      installments_total: p.installments_total,
      installments_paid: 0,
      installment_amount: p.installment_amount,
      currency: p.currency,
      balance_due: p.balance_due,
      due_at: new Date(p.schedule[0].due_at).toISOString(),
      schedule: JSON.stringify(p.schedule.map((i) => ({ due_at: new Date(i.due_at).toISOString(), amount: i.amount }))),
      updated_at: now,
    })
  } else if (event.type === 'payment.extended') {
    const dueAt = new Date(event.extension.due_at).toISOString()
    if (event.subscription_id) await extendSubscription(db, event.subscription_id, customerId, dueAt, now)
    if (event.installment_plan_id) await extendPlan(db, event.installment_plan_id, customerId, dueAt, now)
  }
}
