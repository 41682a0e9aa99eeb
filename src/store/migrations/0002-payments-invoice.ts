import type { Kysely } from 'kysely'

// Append-only: never edit a migration that has shipped; add the next number instead.

/** Payments by invoice: ingest asks, for each failure, whether its invoice is already paid. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('payments_invoice').on('payments').columns(['invoice_id', 'status']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('payments_invoice').execute()
}
