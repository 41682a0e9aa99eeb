import type { Kysely } from 'kysely'
import type { CardHistory } from '../../domain/retry-rules.js'
import type { Database } from '../schema.js'

/** Payment sources that are Recoup's own attempts (for the 24-hour spacing between them). */
const RECOUP_SOURCES = ['recoup_retry', 'card_update', 'customer_retry']
const THIRTY_DAYS = 30 * 86_400_000

/** Which card an attempt used: its payment method id and fingerprint, or failing both, its invoice. */
export interface CardKey {
  readonly customerId: string
  readonly paymentMethodId?: string | null
  readonly fingerprint?: string | null
  readonly invoiceId?: string | null
}

/**
 * Attempts on one card in the last 30 days, from every source (the processor's own retries, the
 * customer's, other runs and invoices), and when Recoup itself last tried it. A card is known by its
 * fingerprint or payment method id; without either, the invoice stands in for it. Undefined when
 * there is nothing to count by.
 */
export async function cardHistory(db: Kysely<Database>, key: CardKey, nowMs: number): Promise<CardHistory | undefined> {
  const since = new Date(nowMs - THIRTY_DAYS).toISOString()
  // Cards belong to one customer: the customer's index narrows the search.
  let q = db.selectFrom('payments').select(['source', 'occurred_at']).where('customer_id', '=', key.customerId).where('occurred_at', '>=', since)
  if (key.fingerprint || key.paymentMethodId) {
    q = q.where((eb) =>
      eb.or([
        ...(key.fingerprint ? [eb('card_fingerprint', '=', key.fingerprint)] : []),
        ...(key.paymentMethodId ? [eb('payment_method_id', '=', key.paymentMethodId)] : []),
      ]),
    )
  } else if (key.invoiceId) {
    q = q.where('invoice_id', '=', key.invoiceId)
  } else {
    return undefined
  }
  const rows = await q.execute()
  let last: number | undefined
  for (const r of rows) {
    if (r.source && RECOUP_SOURCES.includes(r.source)) last = Math.max(last ?? 0, Date.parse(r.occurred_at))
  }
  return { attempts30Days: rows.length, ...(last !== undefined ? { lastRecoupAttemptAt: last } : {}) }
}
