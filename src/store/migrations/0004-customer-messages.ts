import type { Kysely } from 'kysely'

// Append-only: never edit a migration that has shipped; add the next number instead.

/**
 * Customer messages: each customer's language (for copy, money and dates), and the short links
 * that stand for signed portal links in emails and SMS (`/l/<code>`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('customers').addColumn('locale', 'text').execute()
  await db.schema
    .createTable('short_links')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('short_links_run').on('short_links').column('run_id').execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('short_links').execute()
  await db.schema.alterTable('customers').dropColumn('locale').execute()
}
