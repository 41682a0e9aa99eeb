import { sql, type Kysely } from 'kysely'
import type { Database } from '../schema.js'

/**
 * For each customer, the times (ISO) of their newest `limit` customer messages (email, SMS) sent or
 * queued since `since`, newest first: what a daily cap counts. One statement for many customers.
 */
export async function recentMessageTimes(db: Kysely<Database>, customerIds: readonly string[], since: string, limit: number): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>()
  if (customerIds.length === 0) return out
  const rows = await sql<{ customer_id: string; created_at: string }>`
    select customer_id, created_at from (
      select customer_id, created_at, row_number() over (partition by customer_id order by created_at desc) as n
      from messages
      where customer_id in (${sql.join([...customerIds])}) and channel in ('email', 'sms') and status in ('sent', 'outbox') and created_at >= ${since}
    ) recent where n <= ${limit} order by customer_id, created_at desc`.execute(db)
  for (const r of rows.rows) {
    const list = out.get(r.customer_id)
    if (list) list.push(r.created_at)
    else out.set(r.customer_id, [r.created_at])
  }
  return out
}
