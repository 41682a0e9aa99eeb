import type { Kysely } from 'kysely'
import { declineKind } from '../../domain/decline-kind.js'
import { uiLanguage, type UiLanguage } from '../../domain/locale.js'
import { formatMoney } from '../../domain/money.js'
import { subscriptionStatus } from '../../store/repos/billing-records.js'
import { customerLocale } from '../../store/repos/customers.js'
import { findRunRow } from '../../store/repos/runs.js'
import type { Database, RunRow } from '../../store/schema.js'
import type { EventContext } from '../../triggers/trigger.js'
import { PAGE_COPY } from './page-copy.js'

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
  /** The customer's language for the page. */
  readonly lang: UiLanguage
}

/** Reads the run a link points at, or undefined when it is gone or belongs to someone else. */
export async function loadRunView(db: Kysely<Database>, runId: string, customerId: string): Promise<RunView | undefined> {
  const run = await findRunRow(db, runId)
  if (!run || run.customer_id !== customerId) return undefined
  const locale = (await customerLocale(db, customerId)) ?? undefined
  const lang = uiLanguage(locale)
  const t = PAGE_COPY[lang]
  const context = JSON.parse(run.context) as EventContext
  const productName = context.product?.name ?? t.yourSubscription
  const plan = context.installment_plan
  const payment = context.payment
  let settled = false
  if (run.subscription_id) {
    settled = (await subscriptionStatus(db, run.subscription_id)) === 'active'
  }
  const base = { run, productName, productIds: JSON.parse(run.product_ids) as string[], settled, lang }
  if (plan && !payment) {
    const amountDue = money(plan.balance_due, plan.currency, locale)
    return { ...base, kind: 'plan', ...(amountDue ? { amountDue } : {}), whatHappened: amountDue ? t.planCanceledWith(amountDue) : t.planCanceled }
  }
  const amountDue = payment ? money(payment.amount, payment.currency, locale) : undefined
  // The processor's own words are English: shown to English readers, others get ours.
  const failure = lang === 'en' && typeof payment?.failure_message === 'string' && payment.failure_message.trim() ? payment.failure_message : undefined
  return {
    ...base,
    kind: 'payment',
    ...(amountDue ? { amountDue } : {}),
    whatHappened: failure ?? t.declined[payment ? declineKind(payment) : 'other'],
  }
}

/** Formats an amount from the untyped event snapshot (in the customer's locale), or undefined when it is not one. */
function money(amount: unknown, currency: unknown, locale: string | undefined): string | undefined {
  if (typeof amount !== 'number' || !Number.isInteger(amount) || typeof currency !== 'string') return undefined
  return formatMoney(amount, currency, locale ?? 'en-US')
}
