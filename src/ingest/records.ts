import type { Kysely } from 'kysely'
import type { RecoupEvent } from '../domain/events.js'
import type { Database } from '../store/schema.js'
import { extendPlan, extendSubscription, upsertRestructuredPlan } from '../store/sql/record-changes.js'

export { paidInvoices } from '../store/sql/select-paid-invoices.js'

/**
 * Record changes of accepted offers (payments, subscriptions and canceled plans are applied for a
 * whole batch at once in apply-batch.ts): a restructured plan is re-created (active, new totals and schedule); an
 * extension records the new due date — a subscription stays past_due (the money is still unpaid,
 * only later), while a plan becomes active again because its balance is now on a valid schedule.
 */
export async function applyToRecords(db: Kysely<Database>, event: RecoupEvent, occurredAt: string, now: string): Promise<void> {
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
