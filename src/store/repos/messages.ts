import type { Kysely } from 'kysely'
import { newId } from '../../domain/ids.js'
import { toPage, type Page, type PageRequest } from '../page.js'
import type { Database, MessageRow } from '../schema.js'
import type { MessageStatus } from '../../domain/statuses.js'

import type { MessageChannel } from '../../domain/channels.js'

export type { MessageChannel }

export interface Message {
  id: string
  run_id: string | null
  step_id: string | null
  customer_id: string | null
  channel: MessageChannel
  to: string
  subject?: string
  body: string
  status: MessageStatus
  provider_id?: string
  error?: string
  created_at: string
}

function toMessage(r: MessageRow): Message {
  return {
    id: r.id,
    run_id: r.run_id,
    step_id: r.step_id,
    customer_id: r.customer_id,
    channel: r.channel as MessageChannel,
    to: r.to,
    ...(r.subject !== null ? { subject: r.subject } : {}),
    body: r.body,
    status: r.status as Message['status'],
    ...(r.provider_id ? { provider_id: r.provider_id } : {}),
    ...(r.error ? { error: r.error } : {}),
    created_at: r.created_at,
  }
}

/** Records a message (sent, kept in the outbox, failed or skipped). */
export async function insertMessage(
  db: Kysely<Database>,
  m: Omit<Message, 'id' | 'created_at'>,
): Promise<Message> {
  const row: MessageRow = {
    id: newId('msg'),
    run_id: m.run_id,
    step_id: m.step_id,
    customer_id: m.customer_id,
    channel: m.channel,
    to: m.to,
    subject: m.subject ?? null,
    body: m.body,
    status: m.status,
    provider_id: m.provider_id ?? null,
    error: m.error ?? null,
    created_at: new Date().toISOString(),
  }
  await db.insertInto('messages').values(row).execute()
  return toMessage(row)
}

/** Lists messages, newest first. */
export async function listMessages(
  db: Kysely<Database>,
  req: PageRequest & { customerId?: string; channel?: string; runId?: string; status?: string },
): Promise<Page<Message>> {
  let q = db.selectFrom('messages').selectAll().orderBy('id', 'desc').limit(req.limit + 1)
  if (req.after) q = q.where('id', '<', req.after)
  if (req.customerId) q = q.where('customer_id', '=', req.customerId)
  if (req.channel) q = q.where('channel', '=', req.channel)
  if (req.runId) q = q.where('run_id', '=', req.runId)
  // The filter comes from a query string: a status no message has simply matches nothing.
  if (req.status) q = q.where('status', '=', req.status as MessageStatus)
  return toPage(await q.execute(), req, (r) => r.id, toMessage)
}
