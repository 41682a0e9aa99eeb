import { z } from 'zod'
import { eventSchema } from '../domain/events.js'
import { workflowInputSchema } from '../domain/workflow.js'
import { customerInput, productInput } from './routes/products-customers.js'

type Op = { summary: string; body?: z.ZodType; ok?: number }

// The routes, by hand; request schemas come from the same zod schemas that validate requests.
const ROUTES: Record<string, Record<string, Op>> = {
  '/v1/events': { post: { summary: 'Send one event, or {"events": [...]} (up to 1000)', body: z.union([eventSchema, z.object({ events: z.array(eventSchema) })]), ok: 202 } },
  '/v1/events/{id}': { get: { summary: 'Read an event and the runs it started' } },
  '/v1/products': { get: { summary: 'List products' }, post: { summary: 'Create a product', body: productInput, ok: 201 } },
  '/v1/products/{id}': { get: { summary: 'Read a product' }, patch: { summary: 'Change a product' }, delete: { summary: 'Archive a product' } },
  '/v1/customers': { get: { summary: 'List customers (?tag=)' } },
  '/v1/customers/{id}': { get: { summary: 'Read a customer with notes' }, put: { summary: 'Create or update a customer', body: customerInput } },
  '/v1/subscriptions/{id}': { get: { summary: 'Read a subscription' } },
  '/v1/installment-plans/{id}': { get: { summary: 'Read an installment plan' } },
  '/v1/payments': { get: { summary: 'List payment attempts (?customer_id=)' } },
  '/v1/workflows': { get: { summary: 'List workflows' }, post: { summary: 'Create a workflow', body: workflowInputSchema, ok: 201 } },
  '/v1/workflows/{id}': {
    get: { summary: 'Read a workflow' },
    put: { summary: 'Replace a workflow (new version)', body: workflowInputSchema },
    patch: { summary: 'Change the status' },
    delete: { summary: 'Delete a workflow (runs continue)', ok: 204 },
  },
  '/v1/workflows/{id}/versions': { get: { summary: 'Version history' } },
  '/v1/workflows/{id}/test': { post: { summary: 'Render what a run would do, without side effects' } },
  '/v1/workflow-templates': { get: { summary: 'Starter workflows to copy (pick products, then create)' } },
  '/v1/workflow-templates/{id}': { get: { summary: 'One starter workflow' } },
  '/v1/workflows/{id}/archive': { post: { summary: 'Archive a workflow (as DELETE): it starts no runs; its runs carry on', ok: 204 } },
  '/v1/workflows/{id}/unarchive': { post: { summary: 'Bring an archived workflow back, paused (GET /v1/workflows?archived=true lists them)' } },
  '/v1/workflows/preview': { post: { summary: 'What an unsaved workflow would do for an event ({workflow, event?}): validated as a save, rendered, nothing stored' } },
  '/v1/runs': { get: { summary: 'List runs (?workflow_id=&customer_id=&status=&outcome=)' } },
  '/v1/runs/{id}': { get: { summary: 'Read a run with its steps' } },
  '/v1/runs/{id}/cancel': { post: { summary: 'Cancel a running or waiting run ({reason?, by?})' } },
  '/v1/runs/{id}/retry': { post: { summary: 'Resume a failed run from its failed step ({latest_version?: true} moves it to the newest version)' } },
  '/v1/runs/{id}/skip-step': { post: { summary: 'Skip the failed or waiting step a run is on ({step_id?, note?, by?})' } },
  '/v1/runs/{id}/mark-paid': { post: { summary: 'Record the run\'s payment as paid and end it as recovered ({amount?, note?, by?})' } },
  '/v1/messages': { get: { summary: 'List messages (?customer_id=&channel=&run_id=)' } },
  '/v1/keys': { get: { summary: 'List API keys' }, post: { summary: 'Create an API key (shown once)', ok: 201 } },
  '/healthz': { get: { summary: 'Health: 200 when the database answers' } },
  '/metrics': { get: { summary: 'Prometheus metrics' } },
}

function jsonSchema(schema: z.ZodType): unknown {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })
  } catch {
    return { type: 'object' }
  }
}

/** The OpenAPI 3.1 document of the public API. */
export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {}
  for (const [path, ops] of Object.entries(ROUTES)) {
    paths[path] = Object.fromEntries(
      Object.entries(ops).map(([method, op]) => [
        method,
        {
          summary: op.summary,
          ...(path.startsWith('/v1') ? { security: [{ bearer: [] }] } : {}),
          ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(op.body) } } } } : {}),
          responses: {
            [String(op.ok ?? 200)]: { description: 'OK' },
            default: { description: 'Problem', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
          },
        },
      ]),
    )
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Recoup API', version },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' },
            errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
          },
        },
      },
    },
  }
}
