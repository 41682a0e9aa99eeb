import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { NotFoundError } from '../../domain/errors.js'
import { newId } from '../../domain/ids.js'
import type { Database, DeliveryRow, WebhookEndpointRow } from '../schema.js'

/** Recoup's own events that endpoints can subscribe to. */
export const OUTBOUND_EVENT_TYPES = ['run.completed', 'run.failed', 'run.exited', 'run.canceled', 'recovery.ended'] as const
export type OutboundEventType = (typeof OUTBOUND_EVENT_TYPES)[number]

export interface WebhookEndpoint {
  id: string
  url: string
  events: string[]
  description: string | null
  disabled: boolean
  created_at: string
  updated_at: string
}

/** Maps a row to the API shape; the signing secret is shown only when the endpoint is created. */
export function toEndpoint(r: WebhookEndpointRow): WebhookEndpoint {
  return {
    id: r.id, url: r.url, events: JSON.parse(r.events) as string[], description: r.description,
    disabled: r.disabled === 1, created_at: r.created_at, updated_at: r.updated_at,
  }
}

/** Creates an endpoint with its own `whsec_` signing secret (returned once). */
export async function createEndpoint(
  db: Kysely<Database>,
  input: { url: string; events: readonly string[]; description?: string; secret?: string },
): Promise<WebhookEndpoint & { secret: string }> {
  const now = new Date().toISOString()
  const secret = input.secret ?? `whsec_${randomBytes(24).toString('base64')}`
  const row: WebhookEndpointRow = {
    id: newId('we'), url: input.url, events: JSON.stringify(input.events), secret,
    description: input.description ?? null, disabled: 0, created_at: now, updated_at: now,
  }
  await db.insertInto('webhook_endpoints').values(row).execute()
  return { ...toEndpoint(row), secret }
}

/** All endpoints (there are few), including their secrets: for the publisher and dispatcher only. */
export async function allEndpointRows(db: Kysely<Database>): Promise<WebhookEndpointRow[]> {
  return db.selectFrom('webhook_endpoints').selectAll().orderBy('id').execute()
}

/** Reads one endpoint row or throws NotFoundError. */
export async function getEndpointRow(db: Kysely<Database>, id: string): Promise<WebhookEndpointRow> {
  const row = await db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst()
  if (!row) throw new NotFoundError('Webhook endpoint', id)
  return row
}

/** Deletes an endpoint and its pending deliveries. */
export async function deleteEndpoint(db: Kysely<Database>, id: string): Promise<void> {
  await getEndpointRow(db, id)
  await db.deleteFrom('deliveries').where('endpoint_id', '=', id).where('status', '=', 'pending').execute()
  await db.deleteFrom('webhook_endpoints').where('id', '=', id).execute()
}

/** Queues a delivery (inside the caller's transaction, so it exists iff the event happened); returns its id. */
export async function queueDelivery(db: Kysely<Database>, endpointId: string, type: string, payload: string, now: number): Promise<string> {
  const at = new Date(now).toISOString()
  const id = newId('dlv')
  await db
    .insertInto('deliveries')
    .values({ id, endpoint_id: endpointId, event_type: type, payload, status: 'pending', attempts: 0, next_attempt_at: now, last_error: null, created_at: at, updated_at: at })
    .execute()
  return id
}

/** A pending delivery with its endpoint's URL and secret, or undefined when it is not pending (or gone). */
export async function getDeliveryToSend(db: Kysely<Database>, id: string): Promise<(DeliveryRow & { url: string; secret: string }) | undefined> {
  return db
    .selectFrom('deliveries as d')
    .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .selectAll('d')
    .select(['e.url', 'e.secret'])
    .where('d.id', '=', id)
    .where('d.status', '=', 'pending')
    .executeTakeFirst()
}

/** Records the outcome of one delivery attempt. */
export async function recordAttempt(
  db: Kysely<Database>,
  id: string,
  outcome: { status: DeliveryRow['status']; attempts: number; nextAttemptAt: number; error: string | null },
): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ status: outcome.status, attempts: outcome.attempts, next_attempt_at: outcome.nextAttemptAt, last_error: outcome.error, updated_at: new Date().toISOString() })
    .where('id', '=', id)
    .execute()
}

/** An endpoint's deliveries, newest first. */
export async function listDeliveries(db: Kysely<Database>, endpointId: string, limit: number) {
  const rows = await db.selectFrom('deliveries').selectAll().where('endpoint_id', '=', endpointId).orderBy('id', 'desc').limit(limit).execute()
  return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) as unknown }))
}
