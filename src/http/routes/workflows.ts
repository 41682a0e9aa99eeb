import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { deleteWorkflow, getWorkflow, listWorkflows, restoreWorkflow } from '../../store/repos/workflows.js'
import { pageRequest } from '../../store/page.js'
import type { HttpDeps } from '../deps.js'
import { parseBody, query } from '../validate.js'

const statusBody = z.strictObject({ status: z.enum(['draft', 'active', 'paused']) })

/** Workflows: CRUD with versions, status changes, and dry-run tests. */
export function workflowRoutes(app: FastifyInstance, d: HttpDeps): void {
  app.post('/v1/workflows', async (req, reply) => reply.code(201).send(await d.workflows.create(req.body)))
  app.get('/v1/workflows', async (req) => {
    const q = query(req)
    const page = await listWorkflows(d.db, { ...pageRequest(q), status: q.status, triggerType: q.trigger_type, archived: q.archived === 'true' })
    return { ...page, data: await Promise.all(page.data.map(async (w) => ({ ...(await d.workflows.view(w)), ...(w.archived_at ? { archived_at: w.archived_at } : {}) }))) }
  })
  app.get<{ Params: { id: string } }>('/v1/workflows/:id', async (req) => d.workflows.view(await getWorkflow(d.db, req.params.id)))
  app.put<{ Params: { id: string } }>('/v1/workflows/:id', async (req, reply) => {
    const { workflow, created } = await d.workflows.replace(req.params.id, req.body, { upsert: true })
    return reply.code(created ? 201 : 200).send(workflow)
  })
  app.patch<{ Params: { id: string } }>('/v1/workflows/:id', async (req) =>
    d.workflows.setStatus(req.params.id, parseBody(statusBody, req.body).status),
  )
  for (const [verb, status] of [['activate', 'active'], ['pause', 'paused']] as const) {
    app.post<{ Params: { id: string } }>(`/v1/workflows/:id/${verb}`, async (req) => d.workflows.setStatus(req.params.id, status))
  }
  app.delete<{ Params: { id: string } }>('/v1/workflows/:id', async (req, reply) => {
    await deleteWorkflow(d.db, req.params.id)
    d.catalog.invalidate()
    return reply.code(204).send()
  })
  // Archiving is the DELETE above (runs carry on); unarchiving brings the workflow back, paused.
  app.post<{ Params: { id: string } }>('/v1/workflows/:id/archive', async (req, reply) => {
    await deleteWorkflow(d.db, req.params.id)
    d.catalog.invalidate()
    return reply.code(204).send()
  })
  app.post<{ Params: { id: string } }>('/v1/workflows/:id/unarchive', async (req) => {
    const wf = await restoreWorkflow(d.db, req.params.id)
    d.catalog.invalidate()
    return d.workflows.view(wf)
  })
  app.get<{ Params: { id: string } }>('/v1/workflows/:id/versions', async (req) => ({ data: await d.workflows.versions(req.params.id), next_cursor: null }))
  app.post('/v1/workflows/preview', async (req) => {
    const body = (req.body ?? {}) as { workflow?: unknown; event?: unknown }
    return d.workflows.testDraft(body.workflow, body.event)
  })
  app.post<{ Params: { id: string } }>('/v1/workflows/:id/test', async (req) => {
    const body = (req.body ?? {}) as { event?: unknown }
    return d.workflows.test(req.params.id, body.event)
  })
}
