import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { savedUrlProblem } from '../../channels/address-guard.js'
import { isWebhookSecret, WEBHOOK_SECRET_RULE } from '../../domain/webhook-secret.js'
import { createEndpoint, deleteEndpoint, getEndpointRow, listDeliveries, allEndpointRows, OUTBOUND_EVENT_TYPES, toEndpoint } from '../../store/repos/webhook-endpoints.js'
import type { HttpDeps } from '../deps.js'
import { documented } from '../route-doc.js'
import { parseBody } from '../validate.js'

/** An endpoint as submitted; unless private addresses are allowed, its URL must not name a local host. */
function endpointInput(allowPrivateUrls: boolean) {
  const httpUrl = z.url('must be an http(s) URL').refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
  return z.strictObject({
    url: allowPrivateUrls ? httpUrl : httpUrl.superRefine((u, ctx) => {
      const problem = savedUrlProblem(u)
      if (problem) ctx.addIssue({ code: 'custom', message: problem })
    }),
    events: z.array(z.enum([...OUTBOUND_EVENT_TYPES, '*'])).min(1, `subscribe to at least one of: ${OUTBOUND_EVENT_TYPES.join(', ')}`),
    description: z.string().max(500).optional(),
    secret: z.string().refine(isWebhookSecret, WEBHOOK_SECRET_RULE).optional(),
  })
}

const EP_ID = { id: 'The endpoint\'s id' }

/** Endpoints that receive Recoup's own events (run.completed, run.failed, recovery.ended, …). */
export function endpointRoutes(app: FastifyInstance, d: HttpDeps): void {
  const input = endpointInput(d.allowPrivateUrls ?? false)
  app.post('/v1/webhook-endpoints', documented({ summary: 'Create an endpoint that receives Recoup\'s events (its secret is shown once)', body: input, ok: 201 }), async (req, reply) => {
    const created = await createEndpoint(d.db, parseBody(input, req.body))
    d.publisher.invalidate()
    return reply.code(201).send(created)
  })
  app.get('/v1/webhook-endpoints', documented({ summary: 'List webhook endpoints' }), async () => ({ data: (await allEndpointRows(d.db)).map(toEndpoint), next_cursor: null }))
  app.get<{ Params: { id: string } }>('/v1/webhook-endpoints/:id', documented({ summary: 'Read a webhook endpoint', params: EP_ID }), async (req) => toEndpoint(await getEndpointRow(d.db, req.params.id)))
  app.delete<{ Params: { id: string } }>('/v1/webhook-endpoints/:id', documented({ summary: 'Delete a webhook endpoint', ok: 204, produces: 'none', params: EP_ID }), async (req, reply) => {
    await deleteEndpoint(d.db, req.params.id)
    d.publisher.invalidate()
    return reply.code(204).send()
  })
  app.get<{ Params: { id: string } }>('/v1/webhook-endpoints/:id/deliveries', documented({ summary: 'The endpoint\'s latest 100 deliveries', params: EP_ID }), async (req) => {
    await getEndpointRow(d.db, req.params.id)
    return { data: await listDeliveries(d.db, req.params.id, 100), next_cursor: null }
  })
}
