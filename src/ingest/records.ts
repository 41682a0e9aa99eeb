import type { Kysely } from 'kysely'
import type { RecoupEvent } from '../domain/events.js'
import type { Database } from '../store/schema.js'

/** Which of these invoices are recorded as paid, each with the event that paid it (the first one). */
export async function paidInvoices(db: Kysely<Database>, invoiceIds: readonly string[]): Promise<Map<string, string>> {
  const paid = new Map<string, string>()
  if (invoiceIds.length === 0) return paid
  const rows = await db
    .selectFrom('payments')
    .select(['invoice_id', 'event_id'])
    .where('invoice_id', 'in', [...invoiceIds])
    .where('status', '=', 'succeeded')
    .orderBy('id')
    .execute()
  for (const r of rows) if (r.invoice_id && !paid.has(r.invoice_id)) paid.set(r.invoice_id, r.event_id)
  return paid
}

/**
 * Record changes of accepted offers (payments, subscriptions and canceled plans are applied for a
 * whole batch at once in apply-batch.ts): a restructured plan is re-created (active, new totals and schedule); an
 * extension records the new due date — a subscription stays past_due (the money is still unpaid,
 * only later), while a plan becomes active again because its balance is now on a valid schedule.
 */
export async function applyToRecords(db: Kysely<Database>, event: RecoupEvent, occurredAt: string, now: string): Promise<void> {
  const customerId = event.customer.id
  const productIds = JSON.stringify(event.product_ids)
  if (event.type === 'installment_plan.restructured') {
    const p = event.installment_plan
    const values = {
      status: 'active',
      installments_total: p.installments_total,
      installments_paid: 0,
      installment_amount: p.installment_amount,
      currency: p.currency,
      balance_due: p.balance_due,
      due_at: new Date(p.schedule[0].due_at).toISOString(),
      schedule: JSON.stringify(p.schedule.map((i) => ({ due_at: new Date(i.due_at).toISOString(), amount: i.amount }))),
      updated_at: now,
    }
    await db
      .insertInto('installment_plans')
      .values({ id: p.id, customer_id: customerId, product_ids: productIds, reason: null, created_at: now, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute()
  } else if (event.type === 'payment.extended') {
    const dueAt = new Date(event.extension.due_at).toISOString()
    if (event.subscription_id) {
      await db.updateTable('subscriptions').set({ grace_until: dueAt, updated_at: now }).where('id', '=', event.subscription_id).where('customer_id', '=', customerId).execute()
    }
    if (event.installment_plan_id) {
      await db.updateTable('installment_plans').set({ status: 'active', due_at: dueAt, updated_at: now }).where('id', '=', event.installment_plan_id).where('customer_id', '=', customerId).execute()
    }
  }
}
