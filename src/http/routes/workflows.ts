import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { eventSchema } from '../../domain/events.js'
import { TRIGGER_TYPES, WORKFLOW_STATUSES, workflowInputSchema } from '../../domain/workflow.js'
import { deleteWorkflow, getWorkflow, listWorkflows, restoreWorkflow } from '../../store/repos/workflows.js'
import { pageRequest } from '../../store/page.js'
import type { HttpDeps } from '../deps.js'
import { documented, pageQuery } from '../route-doc.js'
import { parseBody, query } from '../validate.js'

const statusBody = z.strictObject({ status: z.enum(WORKFLOW_STATUSES) })
// What the dry runs read: a workflow as saved (workflow service validates it with workflowInputSchema), an event as ingested.
const testBody = z.object({ event: eventSchema.optional().describe("An event to render for (default: the trigger's sample)") })
const previewBody = testBody.extend({ workflow: workflowInputSchema })
const workflowsQuery = pageQuery.extend({
  status: z.enum(WORKFLOW_STATUSES).optional(),
  trigger_type: z.enum(TRIGGER_TYPES).optional(),
  archived: z.enum(['true', 'false']).optional().describe('true: list the archived workflows instead'),
})
const WF_ID = { id: 'The workflow\'s id' }

/** Workflows: CRUD with versions, status changes, and dry-run tests. */
export function workflowRoutes(app: FastifyInstance, d: HttpDeps): void {
  app.post('/v1/workflows', documented({ summary: 'Create a workflow', body: workflowInputSchema, ok: 201 }), async (req, reply) => reply.code(201).send(await d.workflows.create(req.body)))
  app.get('/v1/workflows', documented({ summary: 'List workflows (?status=&trigger_type=&archived=true)', query: workflowsQuery }), async (req) => {
    const q = query(req)
    const page = await listWorkflows(d.db, { ...pageRequest(q), status: q.status, triggerType: q.trigger_type, archived: q.archived === 'true' })
    return { ...page, data: await Promise.all(page.data.map(async (w) => ({ ...(await d.workflows.view(w)), ...(w.archived_at ? { archived_at: w.archived_at } : {}) }))) }
  })
  app.get<{ Params: { id: string } }>('/v1/workflows/:id', documented({ summary: 'Read a workflow', params: WF_ID }), async (req) => d.workflows.view(await getWorkflow(d.db, req.params.id)))
  app.put<{ Params: { id: string } }>('/v1/workflows/:id', documented({
    summary: 'Create or replace a workflow (a change makes a new version; an unchanged one keeps it)',
    body: workflowInputSchema,
    params: WF_ID,
    also: { 201: 'Created' },
  }), async (req, reply) => {
    const { workflow, created } = await d.workflows.replace(req.params.id, req.body, { upsert: true })
    return reply.code(created ? 201 : 200).send(workflow)
  })
  app.patch<{ Params: { id: string } }>('/v1/workflows/:id', documented({ summary: 'Change the status (draft, active, paused)', body: statusBody, params: WF_ID }), async (req) =>
    d.workflows.setStatus(req.params.id, parseBody(statusBody, req.body).status),
  )
  for (const [verb, status] of [['activate', 'active'], ['pause', 'paused']] as const) {
    app.post<{ Params: { id: string } }>(`/v1/workflows/:id/${verb}`, documented({ summary: `Set the status to ${status}`, params: WF_ID }), async (req) => d.workflows.setStatus(req.params.id, status))
  }
  app.delete<{ Params: { id: string } }>('/v1/workflows/:id', documented({ summary: 'Archive a workflow: it starts no runs; its runs carry on', ok: 204, produces: 'none', params: WF_ID }), async (req, reply) => {
    await deleteWorkflow(d.db, req.params.id)
    d.catalog.invalidate()
    return reply.code(204).send()
  })
  // Archiving is the DELETE above (runs carry on); unarchiving brings the workflow back, paused.
  app.post<{ Params: { id: string } }>('/v1/workflows/:id/archive', documented({ summary: 'Archive a workflow (as DELETE)', ok: 204, produces: 'none', params: WF_ID }), async (req, reply) => {
    await deleteWorkflow(d.db, req.params.id)
    d.catalog.invalidate()
    return reply.code(204).send()
  })
  app.post<{ Params: { id: string } }>('/v1/workflows/:id/unarchive', documented({ summary: 'Bring an archived workflow back, paused', params: WF_ID }), async (req) => {
    const wf = await restoreWorkflow(d.db, req.params.id)
    d.catalog.invalidate()
    return d.workflows.view(wf)
  })
  app.get<{ Params: { id: string } }>('/v1/workflows/:id/versions', documented({ summary: 'Version history', params: WF_ID }), async (req) => ({ data: await d.workflows.versions(req.params.id), next_cursor: null }))
  app.post('/v1/workflows/preview', documented({
    summary: 'What an unsaved workflow would do for an event: validated as a save, rendered, nothing stored',
    body: previewBody,
  }), async (req) => {
    const body = (req.body ?? {}) as { workflow?: unknown; event?: unknown }
    return d.workflows.testDraft(body.workflow, body.event)
  })
  app.post<{ Params: { id: string } }>('/v1/workflows/:id/test', documented({
    summary: 'Render what a run would do for an event, without side effects',
    body: testBody,
    bodyOptional: true,
    params: WF_ID,
  }), async (req) => {
    const body = (req.body ?? {}) as { event?: unknown }
    return d.workflows.test(req.params.id, body.event)
  })
}
