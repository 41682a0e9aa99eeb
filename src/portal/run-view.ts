import type { Kysely } from 'kysely'
import { formatMoney } from '../domain/money.js'
import type { Database, RunRow } from '../store/schema.js'
import type { EventContext } from '../triggers/trigger.js'

/** What a portal page shows about the run behind a link. */
export interface RunView {
  readonly run: RunRow
  readonly productName: string
  readonly productIds: string[]
  readonly kind: 'payment' | 'plan'
  readonly amountDue?: string
  readonly whatHappened: string
  /** The subscription has been paid since the link was sent. */
  readonly settled: boolean
}

/** Reads the run a link points at, or undefined when it is gone or belongs to someone else. */
export async function loadRunView(db: Kysely<Database>, runId: string, customerId: string): Promise<RunView | undefined> {
  const run = await db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst()
  if (!run || run.customer_id !== customerId) return undefined
  const context = JSON.parse(run.context) as EventContext
  const productName = context.product?.name ?? 'your subscription'
  const plan = context.installment_plan
  const payment = context.payment
  let settled = false
  if (run.subscription_id) {
    const sub = await db.selectFrom('subscriptions').select('status').where('id', '=', run.subscription_id).executeTakeFirst()
    settled = sub?.status === 'active'
  }
  const base = { run, productName, productIds: JSON.parse(run.product_ids) as string[], settled }
  if (plan && !payment) {
    const amountDue = money(plan.balance_due, plan.currency)
    return {
      ...base,
      kind: 'plan',
      ...(amountDue ? { amountDue } : {}),
      whatHappened: amountDue
        ? `Your installment plan was canceled with ${amountDue} still to pay.`
        : 'Your installment plan was canceled before it was paid in full.',
    }
  }
  const amountDue = payment ? money(payment.amount, payment.currency) : undefined
  const failure = typeof payment?.failure_message === 'string' && payment.failure_message.trim() ? payment.failure_message : undefined
  return {
    ...base,
    kind: 'payment',
    ...(amountDue ? { amountDue } : {}),
    whatHappened: failure ?? 'We could not collect your latest payment.',
  }
}

/** Formats an amount from the untyped event snapshot, or undefined when it is not one. */
function money(amount: unknown, currency: unknown): string | undefined {
  if (typeof amount !== 'number' || !Number.isInteger(amount) || typeof currency !== 'string') return undefined
  return formatMoney(amount, currency)
}
