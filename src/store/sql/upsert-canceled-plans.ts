import type { Kysely } from 'kysely'
import type { Database, InstallmentPlanRow } from '../schema.js'
import { insertRows, type RowsInsert } from './statement.js'

/** What an installment_plan.canceled event tells of its plan. */
export type CanceledPlan = Omit<InstallmentPlanRow, 'due_at' | 'schedule'>

const COLUMNS = [
  'id', 'customer_id', 'product_ids', 'status', 'installments_total', 'installments_paid', 'installment_amount', 'currency', 'balance_due',
  'reason', 'created_at', 'updated_at',
] as const satisfies readonly (keyof CanceledPlan)[]
const PLANS: RowsInsert<(typeof COLUMNS)[number]> = {
  table: 'installment_plans',
  columns: COLUMNS,
  tail: `on conflict (id) do update set status = excluded.status, installments_total = excluded.installments_total,
    installments_paid = excluded.installments_paid, installment_amount = excluded.installment_amount, currency = excluded.currency,
    balance_due = excluded.balance_due, reason = excluded.reason, updated_at = excluded.updated_at`,
}

/** Installment plans as their cancellation leaves them. */
export async function upsertCanceledPlans(db: Kysely<Database>, rows: readonly CanceledPlan[]): Promise<void> {
  await insertRows(db, PLANS, rows)
}
