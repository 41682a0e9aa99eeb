import type { FastifyInstance } from 'fastify'
import { ValidationError } from '../domain/errors.js'
import { recoveryReport } from '../store/analytics.js'
import { listMessages } from '../store/messages.js'
import { pageRequest } from '../store/page.js'
import type { HttpDeps } from './deps.js'
import { query } from './validate.js'

const RUN_STATUSES = ['running', 'waiting', 'completed', 'failed', 'canceled', 'exited']
const CHANNELS = ['email', 'sms', 'team', 'webhook']

/** Runs (read, cancel, retry) and messages. */
export function runRoutes(app: FastifyInstance, d: HttpDeps): void {
  app.get('/v1/runs', async (req) => {
    const q = query(req)
    if (q.status && !RUN_STATUSES.includes(q.status)) {
      throw new ValidationError('Invalid query', [{ path: 'status', message: `must be one of: ${RUN_STATUSES.join(', ')}` }])
    }
    return d.runs.list({
      ...pageRequest(q),
      workflowId: q.workflow_id,
      customerId: q.customer_id,
      status: q.status,
      eventId: q.event_id,
      createdFrom: q.from,
      createdTo: q.to,
    })
  })
  app.get<{ Params: { id: string } }>('/v1/runs/:id', async (req) => d.runs.get(req.params.id))
  app.post<{ Params: { id: string } }>('/v1/runs/:id/cancel', async (req) => d.runs.cancel(req.params.id))
  app.post<{ Params: { id: string } }>('/v1/runs/:id/retry', async (req) => d.runs.retry(req.params.id))

  app.get('/v1/messages', async (req) => {
    const q = query(req)
    if (q.channel && !CHANNELS.includes(q.channel)) {
      throw new ValidationError('Invalid query', [{ path: 'channel', message: `must be one of: ${CHANNELS.join(', ')}` }])
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
  app.get('/v1/analytics/recovery', async (req) => {
    const q = query(req)
    const from = bound(q.from, 'from', new Date(Date.now() - 30 * 86_400_000).toISOString())
    let to = bound(q.to, 'to', new Date(Date.now() + 1000).toISOString())
    if (q.to && /^\d{4}-\d{2}-\d{2}$/.test(q.to)) to = new Date(Date.parse(to) + 86_400_000).toISOString()
    if (to <= from) throw new ValidationError('Invalid query', [{ path: 'to', message: 'must be after from' }])
    return recoveryReport(d.db, from, to)
  })
}
