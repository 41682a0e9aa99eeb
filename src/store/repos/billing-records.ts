import type { Kysely } from 'kysely'
import { toPage, type Page, type PageRequest } from '../page.js'
import type { Database, InstallmentPlanRow, PaymentRow, SubscriptionRow } from '../schema.js'

// The billing records events keep up to date (subscriptions, installment plans, payments), as the API reads them.

/** Reads a subscription, or undefined when there is none. */
export async function findSubscriptionRow(db: Kysely<Database>, id: string): Promise<SubscriptionRow | undefined> {
  return db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst()
}

/** A subscription's status, or undefined when there is no such subscription. */
export async function subscriptionStatus(db: Kysely<Database>, id: string): Promise<string | undefined> {
  return (await db.selectFrom('subscriptions').select('status').where('id', '=', id).executeTakeFirst())?.status
}

/** Reads an installment plan, or undefined when there is none. */
export async function findInstallmentPlanRow(db: Kysely<Database>, id: string): Promise<InstallmentPlanRow | undefined> {
  return db.selectFrom('installment_plans').selectAll().where('id', '=', id).executeTakeFirst()
}

/** A page of subscriptions or installment plans in id order, optionally of one customer. */
export async function listRecordsByCustomer<T extends 'subscriptions' | 'installment_plans', R>(
  db: Kysely<Database>,
  table: T,
  req: PageRequest & { customerId?: string },
  view: (row: Database[T]) => R,
): Promise<Page<R>> {
  let sel = db.selectFrom(table as 'subscriptions').selectAll().orderBy('id').limit(req.limit + 1)
  if (req.after) sel = sel.where('id', '>', req.after)
  if (req.customerId) sel = sel.where('customer_id', '=', req.customerId)
  return toPage((await sel.execute()) as unknown as Database[T][], req, (r) => r.id, view)
}

/** A page of payment attempts, newest id first, optionally filtered. */
export async function listPaymentRows<R>(
  db: Kysely<Database>,
  req: PageRequest & { customerId?: string; subscriptionId?: string; status?: string },
  view: (row: PaymentRow) => R,
): Promise<Page<R>> {
  let sel = db.selectFrom('payments').selectAll().orderBy('id', 'desc').limit(req.limit + 1)
  if (req.after) sel = sel.where('id', '<', req.after)
  if (req.customerId) sel = sel.where('customer_id', '=', req.customerId)
  if (req.subscriptionId) sel = sel.where('subscription_id', '=', req.subscriptionId)
  // The filter comes from a query string: a status no payment has simply matches nothing.
  if (req.status) sel = sel.where('status', '=', req.status as PaymentRow['status'])
  return toPage(await sel.execute(), req, (r) => r.id, view)
}
