// GET /v1/catalog: what a workflow can be built from, served from the server's own registries
// (src/triggers, src/steps), so the dashboard declares none of it again.
import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { CONDITION_OPS } from '../../domain/conditions.js'
import { DEFAULT_EXIT_ON } from '../../domain/workflow.js'
import type { ActionDefinition } from '../../steps/action.js'
import { ACTIONS } from '../../steps/registry.js'
import { TRIGGERS } from '../../triggers/catalog.js'
import { EXIT_EVENTS } from '../../triggers/exit-events.js'
import type { HttpDeps } from '../deps.js'
import { documented } from '../route-doc.js'

/** A step type as the catalog shows it: words, traits, which params are templates, and the params' JSON Schema. */
function stepType(a: ActionDefinition): Record<string, unknown> {
  const t = a.traits
  return {
    type: a.type,
    title: a.title,
    traits: {
      outside: t.outside,
      customer_message: t.customerMessage,
      ...(t.address ? { address: t.address } : {}),
      reads_records: t.readsRecords,
      continues_on_error: t.continuesOnError,
      calls_url: !!t.callsUrl,
      ...(t.callsUrl?.secret ? { secret_param: t.callsUrl.secret } : {}),
      arms: t.arms ?? [],
      ...(a.portal ? { portal_link: a.portal.link } : {}),
    },
    templates: a.templates ?? [],
    conditions: a.conditions ?? [],
    // What a client sends (defaults optional); refinements JSON Schema cannot say are checked on save.
    params: z.toJSONSchema(a.params, { io: 'input', unrepresentable: 'any' }),
  }
}

/** The whole catalog; it depends on nothing but code, so it is built once. */
export function workflowCatalog(): Record<string, unknown> {
  return {
    trigger_types: Object.values(TRIGGERS).map((t) => ({
      type: t.type,
      title: t.title,
      carries_payment: t.carriesPayment,
      variables: t.variables,
      suggested_variables: t.suggestedVariables,
      sample_event: t.sampleEvent,
    })),
    step_types: [...ACTIONS.values()].map(stepType),
    exit_events: EXIT_EVENTS,
    default_exit_on: DEFAULT_EXIT_ON,
    condition_ops: CONDITION_OPS,
  }
}

/** GET /v1/catalog (API key): trigger types, step types, exit events, variables and sample events. */
export function workflowCatalogRoutes(app: FastifyInstance, _d: HttpDeps): void {
  let catalog: Record<string, unknown> | undefined
  app.get('/v1/catalog', documented({ summary: 'What workflows are built from: trigger and step types (traits, params schema), exit events, variables, sample events' }), async () =>
    (catalog ??= workflowCatalog()),
  )
}
