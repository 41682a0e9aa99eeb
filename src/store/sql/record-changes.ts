// Record changes that accepted offers bring (not hot: Kysely builds them).
import type { Kysely } from 'kysely'
import type { Database, InstallmentPlanRow } from '../schema.js'

/** Re-creates a restructured plan (or creates it when unknown). */
export async function upsertRestructuredPlan(db: Kysely<Database>, row: InstallmentPlanRow): Promise<void> {
  const { id: _id, customer_id: _c, product_ids: _p, reason: _r, created_at: _at, ...values } = row
  await db.insertInto('installment_plans').values(row).onConflict((oc) => oc.column('id').doUpdateSet(values)).execute()
}

/** Records an extension's new due date on a customer's subscription (its status stays). */
export async function extendSubscription(db: Kysely<Database>, id: string, customerId: string, dueAt: string, now: string): Promise<void> {
  await db.updateTable('subscriptions').set({ grace_until: dueAt, updated_at: now }).where('id', '=', id).where('customer_id', '=', customerId).execute()
}

/** Records an extension's new due date on a customer's plan, which is active again. */
export async function extendPlan(db: Kysely<Database>, id: string, customerId: string, dueAt: string, now: string): Promise<void> {
  await db.updateTable('installment_plans').set({ status: 'active', due_at: dueAt, updated_at: now }).where('id', '=', id).where('customer_id', '=', customerId).execute()
}
