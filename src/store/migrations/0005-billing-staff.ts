import { sql, type Kysely } from 'kysely'

// Append-only: never edit a migration that has shipped; add the next number instead.

/**
 * What billing staff see and do:
 * - every ended run says how it ended for the money (`outcome`: recovered | offer_accepted |
 *   not_recovered | canceled), filled in for the runs that ended before this migration;
 * - who ended a run by hand (`ended_by`: the API key's name when staff canceled it or marked it paid).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('outcome', 'text').execute()
  await db.schema.alterTable('runs').addColumn('ended_by', 'text').execute()
  await sql`update runs set outcome = case
      when status = 'canceled' then 'canceled'
      when status = 'exited' and error like 'goal met: payment.succeeded%' then 'recovered'
      when status = 'exited' and (error like 'goal met: offer.accepted%' or error like 'goal met: installment_plan.restructured%' or error like 'goal met: payment.extended%') then 'offer_accepted'
      else 'not_recovered' end
    where status in ('completed', 'failed', 'canceled', 'exited')`.execute(db)
  await db.schema.createIndex('runs_outcome').on('runs').columns(['outcome', 'id']).execute()
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('runs_outcome').execute()
  await db.schema.alterTable('runs').dropColumn('ended_by').execute()
  await db.schema.alterTable('runs').dropColumn('outcome').execute()
}
