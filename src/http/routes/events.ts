import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { NotFoundError, ValidationError } from '../../domain/errors.js'
import { eventSchema, MAX_BATCH } from '../../domain/events.js'
import { pageRequest } from '../../store/page.js'
import { findInstallmentPlanRow, findSubscriptionRow, listPaymentRows, listRecordsByCustomer } from '../../store/repos/billing-records.js'
import { findEventRow } from '../../store/repos/events.js'
import { runsOfEvent } from '../../store/repos/runs.js'
import type { Database, InstallmentPlanRow } from '../../store/schema.js'
import type { HttpDeps } from '../deps.js'
import { documented, ID_PARAM, pageQuery } from '../route-doc.js'
import { query } from '../validate.js'

/** One event, or a batch: what the ingestor validates, each event with `eventSchema`. */
const eventsBody = z.union([eventSchema, z.object({ events: z.array(eventSchema).min(1).max(MAX_BATCH) })])
const byCustomer = pageQuery.extend({ customer_id: z.string().optional().describe('Only this customer\'s') })
const paymentsQuery = byCustomer.extend({
  subscription_id: z.string().optional().describe('Only this subscription\'s'),
  status: z.string().optional().describe('Only payments with this status (succeeded, failed)'),
})

/** Events in, and the records they keep up to date. */
export function eventRoutes(app: FastifyInstance, d: HttpDeps): void {
  app.post('/v1/events', documented({
    summary: `Send one event, or {"events": [...]} (up to ${MAX_BATCH})`,
    body: eventsBody,
    ok: 202,
    also: { 200: 'A duplicate: the event was already received (its runs are returned)' },
  }), async (req, reply) => {
    const body = req.body
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new ValidationError('The body must be one event or {"events": [...]}', [{ path: '(body)', message: 'must be a JSON object' }])
    }
    if ('events' in body) {
      const events = (body as { events: unknown }).events
      if (!Array.isArray(events)) throw new ValidationError('The batch is not valid', [{ path: 'events', message: 'must be an array of events' }])
      if (events.length === 0 || events.length > MAX_BATCH) {
        throw new ValidationError('The batch is not valid', [{ path: 'events', message: `must hold 1 to ${MAX_BATCH} events` }])
      }
      const results = await d.ingestor.acceptMany(events)
      for (const r of results) {
        const type = r.status === 422 ? 'invalid' : String((events[r.index] as { type?: unknown }).type)
        d.metrics.eventsAccepted.inc({ type, outcome: r.status === 422 ? 'rejected' : r.status === 200 ? 'duplicate' : 'accepted' })
      }
      const accepted = results.filter((r) => r.status !== 422).length
      return reply.code(accepted === 0 ? 422 : 202).send({ accepted, rejected: results.length - accepted, results })
    }
    try {
      const result = await d.ingestor.accept(body)
      d.metrics.eventsAccepted.inc({ type: String((body as { type?: unknown }).type), outcome: result.duplicate ? 'duplicate' : 'accepted' })
      return reply.code(result.duplicate ? 200 : 202).send(result)
    } catch (err) {
      if (err instanceof ValidationError) d.metrics.eventsAccepted.inc({ type: 'invalid', outcome: 'rejected' })
      throw err
    }
  })

  app.get<{ Params: { id: string } }>('/v1/events/:id', documented({ summary: 'Read an event and the runs it started', params: ID_PARAM }), async (req) => {
    const row = await findEventRow(d.db, req.params.id)
    if (!row) throw new NotFoundError('Event', req.params.id)
    return { ...(JSON.parse(row.payload) as object), received_at: row.received_at, runs: await runsOfEvent(d.db, row.id) }
  })

  app.get<{ Params: { id: string } }>('/v1/subscriptions/:id', documented({ summary: 'Read a subscription', params: ID_PARAM }), async (req) => {
    const row = await findSubscriptionRow(d.db, req.params.id)
    if (!row) throw new NotFoundError('Subscription', req.params.id)
    return { ...row, product_ids: JSON.parse(row.product_ids) as string[] }
  })
  app.get('/v1/subscriptions', documented({ summary: 'List subscriptions (?customer_id=)', query: byCustomer }), async (req) => listByCustomer(d, 'subscriptions', query(req), (r) => ({ ...r, product_ids: JSON.parse(r.product_ids) as string[] })))

  app.get<{ Params: { id: string } }>('/v1/installment-plans/:id', documented({ summary: 'Read an installment plan', params: ID_PARAM }), async (req) => {
    const row = await findInstallmentPlanRow(d.db, req.params.id)
    if (!row) throw new NotFoundError('Installment plan', req.params.id)
    return planView(row)
  })
  app.get('/v1/installment-plans', documented({ summary: 'List installment plans (?customer_id=)', query: byCustomer }), async (req) => listByCustomer(d, 'installment_plans', query(req), planView))

  app.get('/v1/payments', documented({ summary: 'List payment attempts, newest first (?customer_id=&subscription_id=&status=)', query: paymentsQuery }), async (req) => {
    const q = query(req)
    const filter = { ...pageRequest(q), customerId: q.customer_id, subscriptionId: q.subscription_id, status: q.status }
    return listPaymentRows(d.db, filter, (r) => ({ ...r, product_ids: JSON.parse(r.product_ids) as string[] }))
  })
}

/** A plan as the API shows it: JSON columns parsed (`schedule` is set once the plan was restructured). */
function planView(row: InstallmentPlanRow) {
  return { ...row, product_ids: JSON.parse(row.product_ids) as string[], schedule: row.schedule ? (JSON.parse(row.schedule) as { due_at: string; amount: number }[]) : null }
}

/** A page of subscriptions or plans in id order, optionally of one customer (`?customer_id=`). */
function listByCustomer<T extends 'subscriptions' | 'installment_plans', R>(
  d: HttpDeps,
  table: T,
  q: Record<string, string | undefined>,
  view: (row: Database[T]) => R,
) {
  return listRecordsByCustomer(d.db, table, { ...pageRequest(q), customerId: q.customer_id }, view)
}
