import type { FastifyInstance } from 'fastify'
import { NotFoundError } from '../../domain/errors.js'
import { STARTER_WORKFLOWS } from '../../workflows/starters.js'
import type { HttpDeps } from '../deps.js'
import { documented } from '../route-doc.js'

/** Starter workflows a user copies, picks products for, and activates. Read-only. */
export function templateRoutes(app: FastifyInstance, _d: HttpDeps): void {
  app.get('/v1/workflow-templates', documented({ summary: 'Starter workflows to copy (pick products, then create)' }), async () => ({ data: STARTER_WORKFLOWS, next_cursor: null }))
  app.get<{ Params: { id: string } }>('/v1/workflow-templates/:id', documented({ summary: 'One starter workflow', params: { id: 'The template\'s id' } }), async (req) => {
    const template = STARTER_WORKFLOWS.find((t) => t.id === req.params.id)
    if (!template) throw new NotFoundError('Workflow template', req.params.id)
    return template
  })
}
