import type { FastifyInstance } from 'fastify'
import { NotFoundError, ValidationError } from '../../domain/errors.js'
import { MAX_BATCH } from '../../domain/events.js'
import { toPage, pageRequest } from '../../store/page.js'
import { runsOfEvent } from '../../store/repos/runs.js'
import type { Database, InstallmentPlanRow } from '../../store/schema.js'
import type { HttpDeps } from '../deps.js'
import { query } from '../validate.js'

/** Events in, and the records they keep up to date. */
export function eventRoutes(app: FastifyInstance, d: HttpDeps): void {
  app.post('/v1/events', async (req, reply) => {
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

  app.get<{ Params: { id: string } }>('/v1/events/:id', async (req) => {
    const row = await d.db.selectFrom('events').selectAll().where('id', '=', req.params.id).executeTakeFirst()
    if (!row) throw new NotFoundError('Event', req.params.id)
    return { ...(JSON.parse(row.payload) as object), received_at: row.received_at, runs: await runsOfEvent(d.db, row.id) }
  })

  app.get<{ Params: { id: string } }>('/v1/subscriptions/:id', async (req) => {
    const row = await d.db.selectFrom('subscriptions').selectAll().where('id', '=', req.params.id).executeTakeFirst()
    if (!row) throw new NotFoundError('Subscription', req.params.id)
    return { ...row, product_ids: JSON.parse(row.product_ids) as string[] }
  })
  app.get('/v1/subscriptions', async (req) => listByCustomer(d, 'subscriptions', query(req), (r) => ({ ...r, product_ids: JSON.parse(r.product_ids) as string[] })))

  app.get<{ Params: { id: string } }>('/v1/installment-plans/:id', async (req) => {
    const row = await d.db.selectFrom('installment_plans').selectAll().where('id', '=', req.params.id).executeTakeFirst()
    if (!row) throw new NotFoundError('Installment plan', req.params.id)
    return planView(row)
  })
  app.get('/v1/installment-plans', async (req) => listByCustomer(d, 'installment_plans', query(req), planView))

  app.get('/v1/payments', async (req) => {
    const q = query(req)
    const page = pageRequest(q)
    let sel = d.db.selectFrom('payments').selectAll().orderBy('id', 'desc').limit(page.limit + 1)
    if (page.after) sel = sel.where('id', '<', page.after)
    if (q.customer_id) sel = sel.where('customer_id', '=', q.customer_id)
    if (q.subscription_id) sel = sel.where('subscription_id', '=', q.subscription_id)
    if (q.status) sel = sel.where('status', '=', q.status)
    return toPage(await sel.execute(), page, (r) => r.id, (r) => ({ ...r, product_ids: JSON.parse(r.product_ids) as string[] }))
  })
}

/** A plan as the API shows it: JSON columns parsed (`schedule` is set once the plan was restructured). */
function planView(row: InstallmentPlanRow) {
  return { ...row, product_ids: JSON.parse(row.product_ids) as string[], schedule: row.schedule ? (JSON.parse(row.schedule) as { due_at: string; amount: number }[]) : null }
}

/** A page of subscriptions or plans in id order, optionally of one customer (`?customer_id=`). */
async function listByCustomer<T extends 'subscriptions' | 'installment_plans', R>(
  d: HttpDeps,
  table: T,
  q: Record<string, string | undefined>,
  view: (row: Database[T]) => R,
) {
  const page = pageRequest(q)
  let sel = d.db.selectFrom(table as 'subscriptions').selectAll().orderBy('id').limit(page.limit + 1)
  if (page.after) sel = sel.where('id', '>', page.after)
  if (q.customer_id) sel = sel.where('customer_id', '=', q.customer_id)
  return toPage((await sel.execute()) as unknown as Database[T][], page, (r) => r.id, view)
}
