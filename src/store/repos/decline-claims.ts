import type { Kysely } from 'kysely'
import type { Database } from '../schema.js'

// Failed payments whose decline reason is still to be learned from the processor
// (payments.reason_status: pending → fetching (claimed) → known | unknown).

/** A failure waiting for its reason. */
export interface PendingReasonRow {
  id: string
  customer_id: string
  invoice_id: string | null
  payment_intent_id: string | null
  amount: number
  currency: string
  created_at: string
}

/** Failures to look up, oldest first: pending since before `pendingBefore`, or claimed before `abandonedBefore` (their claimer died). */
export async function reasonLookupsDue(db: Kysely<Database>, o: { pendingBefore: string; abandonedBefore: string; limit: number }): Promise<PendingReasonRow[]> {
  return db
    .selectFrom('payments')
    .select(['id', 'customer_id', 'invoice_id', 'payment_intent_id', 'amount', 'currency', 'created_at'])
    .where((eb) =>
      eb.or([
        eb.and([eb('reason_status', '=', 'pending'), eb('created_at', '<=', o.pendingBefore)]),
        eb.and([eb('reason_status', '=', 'fetching'), eb('created_at', '<=', o.abandonedBefore)]),
      ]),
    )
    .orderBy('created_at')
    .limit(o.limit)
    .execute() as Promise<PendingReasonRow[]>
}

/** Claims these failures for a lookup; returns the ids this caller got (another process may have taken some). */
export async function claimReasonLookups(db: Kysely<Database>, ids: readonly string[], abandonedBefore: string): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await db
    .updateTable('payments')
    .set({ reason_status: 'fetching' })
    .where('id', 'in', [...ids])
    .where((eb) => eb.or([eb('reason_status', '=', 'pending'), eb.and([eb('reason_status', '=', 'fetching'), eb('created_at', '<=', abandonedBefore)])]))
    .returning('id')
    .execute()
  return new Set(rows.map((r) => r.id))
}

/** A failure's reason status, or undefined when there is no such payment. */
export async function reasonStatusOf(db: Kysely<Database>, id: string): Promise<string | undefined> {
  return (await db.selectFrom('payments').select('reason_status').where('id', '=', id).executeTakeFirst())?.reason_status ?? undefined
}

/** Ends a claim still held: back to `pending` (try again) or `unknown` (nothing more to learn). */
export async function endReasonClaim(db: Kysely<Database>, id: string, to: 'pending' | 'unknown'): Promise<void> {
  await db.updateTable('payments').set({ reason_status: to }).where('id', '=', id).where('reason_status', '=', 'fetching').execute()
}
