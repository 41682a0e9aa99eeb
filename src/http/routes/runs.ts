import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { z } from 'zod'
import { ValidationError } from '../../domain/errors.js'
import { MESSAGE_CHANNELS } from '../../domain/channels.js'
import { minorUnitsSchema } from '../../domain/money.js'
import { recoveryReport } from '../../store/repos/analytics.js'
import { hashKey, keyNameByHash } from '../../store/repos/api-keys.js'
import { listMessages } from '../../store/repos/messages.js'
import { pageRequest } from '../../store/page.js'
import { isOneOf, RUN_OUTCOMES, RUN_STATUSES } from '../../domain/statuses.js'
import type { Database } from '../../store/schema.js'
import type { HttpDeps } from '../deps.js'
import { documented, pageQuery } from '../route-doc.js'
import { parseBody, query } from '../validate.js'

const who = z.string().trim().min(1, 'Say who you are, or leave it out').max(100, 'Keep the name under 100 characters').optional()
const note = z.string().trim().max(1000, 'Keep the note under 1,000 characters').optional()
const cancelBody = z.strictObject({ reason: note, by: who })
const retryBody = z.strictObject({ latest_version: z.boolean().optional() })
const skipBody = z.strictObject({ step_id: z.string().min(1).max(64).optional(), note, by: who })
const markPaidBody = z.strictObject({ amount: minorUnitsSchema.refine((n) => n > 0, 'The amount must be more than zero').optional(), note, by: who })

/**
 * Who is acting on a run: the API key's name (the admin key has none), with the person's own name
 * when they gave one.
 */
async function actor(req: FastifyRequest, db: Kysely<Database>, by: string | undefined): Promise<string> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1]
  const name = bearer ? await keyNameByHash(db, hashKey(bearer)) : undefined
  const key = name !== undefined ? `API key "${name}"` : 'the admin API key'
  return by ? `${by} (${key})` : key
}

/** A body that may be absent (an empty POST), parsed with `schema`. */
function optionalBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  return parseBody(schema, body === undefined || body === null || body === '' ? {} : body)
}

const runsQuery = pageQuery.extend({
  workflow_id: z.string().optional(),
  customer_id: z.string().optional(),
  status: z.enum(RUN_STATUSES).optional(),
  outcome: z.enum(RUN_OUTCOMES).optional(),
  event_id: z.string().optional().describe('Runs this event started'),
  from: z.string().optional().describe('Created at or after (ISO 8601)'),
  to: z.string().optional().describe('Created before (ISO 8601)'),
})
const messagesQuery = pageQuery.extend({
  customer_id: z.string().optional(),
  channel: z.enum(MESSAGE_CHANNELS).optional(),
  run_id: z.string().optional(),
  status: z.string().optional(),
})
const analyticsQuery = z.object({
  from: z.string().optional().describe('A date (YYYY-MM-DD) or an ISO 8601 time; default 30 days ago'),
  to: z.string().optional().describe('A date (that whole day is included) or an ISO 8601 time; default now'),
})
const RUN_ID = { id: 'The run\'s id' }

/** Runs (read, cancel, retry) and messages. */
export function runRoutes(app: FastifyInstance, d: HttpDeps): void {
  app.get('/v1/runs', documented({ summary: 'List runs (?workflow_id=&customer_id=&status=&outcome=&event_id=&from=&to=)', query: runsQuery }), async (req) => {
    const q = query(req)
    if (q.status && !isOneOf(RUN_STATUSES, q.status)) {
      throw new ValidationError('Invalid query', [{ path: 'status', message: `must be one of: ${RUN_STATUSES.join(', ')}` }])
    }
    if (q.outcome && !isOneOf(RUN_OUTCOMES, q.outcome)) {
      throw new ValidationError('Invalid query', [{ path: 'outcome', message: `must be one of: ${RUN_OUTCOMES.join(', ')}` }])
    }
    return d.runs.list({
      ...pageRequest(q),
      workflowId: q.workflow_id,
      customerId: q.customer_id,
      status: isOneOf(RUN_STATUSES, q.status) ? q.status : undefined,
      outcome: isOneOf(RUN_OUTCOMES, q.outcome) ? q.outcome : undefined,
      eventId: q.event_id,
      createdFrom: q.from,
      createdTo: q.to,
    })
  })
  app.get<{ Params: { id: string } }>('/v1/runs/:id', documented({ summary: 'Read a run with its steps', params: RUN_ID }), async (req) => d.runs.get(req.params.id))
  app.post<{ Params: { id: string } }>('/v1/runs/:id/cancel', documented({ summary: 'Cancel a running or waiting run', body: cancelBody, bodyOptional: true, params: RUN_ID }), async (req) => {
    const body = optionalBody(cancelBody, req.body)
    return d.runs.cancel(req.params.id, { by: await actor(req, d.db, body.by), note: body.reason })
  })
  app.post<{ Params: { id: string } }>('/v1/runs/:id/retry', documented({
    summary: 'Resume a failed run from its failed step (latest_version: true moves it to the newest version)',
    body: retryBody,
    bodyOptional: true,
    params: RUN_ID,
  }), async (req) => {
    const body = optionalBody(retryBody, req.body)
    return d.runs.retry(req.params.id, { latest: body.latest_version })
  })
  app.post<{ Params: { id: string } }>('/v1/runs/:id/skip-step', documented({ summary: 'Skip the failed or waiting step a run is on', body: skipBody, bodyOptional: true, params: RUN_ID }), async (req) => {
    const body = optionalBody(skipBody, req.body)
    return d.runs.skipStep(req.params.id, { by: await actor(req, d.db, body.by), note: body.note, stepId: body.step_id })
  })
  app.post<{ Params: { id: string } }>('/v1/runs/:id/mark-paid', documented({
    summary: "Record the run's payment as paid and end it as recovered",
    body: markPaidBody,
    bodyOptional: true,
    params: RUN_ID,
  }), async (req) => {
    const body = optionalBody(markPaidBody, req.body)
    const by = await actor(req, d.db, body.by)
    return d.runs.markPaid(req.params.id, { by, note: body.note, amount: body.amount }, (trx, event) => d.ingestor.acceptInTransaction(trx, event))
  })

  app.get('/v1/messages', documented({ summary: 'List messages (?customer_id=&channel=&run_id=&status=)', query: messagesQuery }), async (req) => {
    const q = query(req)
    if (q.channel && !isOneOf(MESSAGE_CHANNELS, q.channel)) {
      throw new ValidationError('Invalid query', [{ path: 'channel', message: `must be one of: ${MESSAGE_CHANNELS.join(', ')}` }])
    }
    return listMessages(d.db, { ...pageRequest(q), customerId: q.customer_id, channel: q.channel, runId: q.run_id, status: q.status })
  })
}

/** Parses a from/to bound: a date (YYYY-MM-DD, start of that UTC day) or an ISO instant. */
function bound(value: string | undefined, field: string, fallback: string): string {
  if (!value) return fallback
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value)
  if (Number.isNaN(ms)) throw new ValidationError('Invalid query', [{ path: field, message: 'must be a date (YYYY-MM-DD) or an ISO 8601 time' }])
  return new Date(ms).toISOString()
}

/** Recovery analytics. `to` given as a date includes that whole day. */
export function analyticsRoutes(app: FastifyInstance, d: HttpDeps): void {
  app.get('/v1/analytics/recovery', documented({ summary: 'Recovery analytics between from and to (default: the last 30 days)', query: analyticsQuery }), async (req) => {
    const q = query(req)
    const from = bound(q.from, 'from', new Date(Date.now() - 30 * 86_400_000).toISOString())
    let to = bound(q.to, 'to', new Date(Date.now() + 1000).toISOString())
    if (q.to && /^\d{4}-\d{2}-\d{2}$/.test(q.to)) to = new Date(Date.parse(to) + 86_400_000).toISOString()
    if (to <= from) throw new ValidationError('Invalid query', [{ path: 'to', message: 'must be after from' }])
    return recoveryReport(d.db, from, to)
  })
}
