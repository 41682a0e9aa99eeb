import type { Kysely } from 'kysely'
import { ACTIONS } from '../steps/registry.js'
import type { ActionDefinition } from '../steps/action.js'
import { previewLinks } from '../steps/customer-links.js'
import { DEFAULT_BUSINESS, type Business } from '../domain/business.js'
import { evaluateCondition, readPath } from '../domain/conditions.js'
import { declineData } from '../domain/decline-kind.js'
import { ConflictError, NotFoundError, PermanentError, ValidationError } from '../domain/errors.js'
import type { RecoupEvent } from '../domain/events.js'
import type { WorkflowDefinition } from '../domain/workflow.js'
import { newId } from '../domain/ids.js'
import { parseEvent } from '../domain/parse-event.js'
import type { Database } from '../store/schema.js'
import { findProducts } from '../store/repos/products.js'
import { findCustomer } from '../store/repos/customers.js'
import { activeWorkflows, findWorkflow, getWorkflow, listWorkflowVersions, saveWorkflowVersion, type StoredWorkflow } from '../store/repos/workflows.js'
import type { TemplateRenderer } from '../templates/render.js'
import { TRIGGERS } from '../triggers/catalog.js'
import { eventContext, selectedProducts, triggerMatches } from '../triggers/trigger.js'
import { validateWorkflow } from './definition.js'
import { maskStepSecrets, outboundStepIssues, restoreMaskedSecrets } from '../runs/outbound-steps.js'
import { workflowWarnings } from './warnings.js'
import { compileProgram, enterArm } from '../runs/program.js'

export interface WorkflowView extends StoredWorkflow {
  /** Things the user should know, e.g. a selected product was archived. */
  readonly warnings: string[]
}

/** Creates, changes and previews workflows. */
export class WorkflowService {
  readonly #db: Kysely<Database>
  readonly #templates: TemplateRenderer
  readonly #onChange: () => void
  readonly #allowPrivateUrls: boolean
  readonly #preview: { readonly publicUrl: string; readonly business: Business }

  constructor(options: {
    db: Kysely<Database>
    templates: TemplateRenderer
    onChange: () => void
    /** RECOUP_WEBHOOK_ALLOW_PRIVATE: step URLs may name local hosts. */
    allowPrivateUrls?: boolean
    /** What previews show as the business and the base of links (the configured ones). */
    preview?: { readonly publicUrl: string; readonly business: Business }
  }) {
    this.#db = options.db
    this.#templates = options.templates
    this.#onChange = options.onChange
    this.#allowPrivateUrls = options.allowPrivateUrls ?? false
    this.#preview = options.preview ?? { publicUrl: 'http://127.0.0.1:8080', business: DEFAULT_BUSINESS }
  }

  /**
   * Validates a submitted definition; masked webhook secrets stand for those of `stored`. `outbound`
   * adds the save rules of calling steps (URL hosts, secret format); status changes skip them, so a
   * workflow saved under older rules can still be paused.
   */
  async #validate(input: unknown, id: string, options: { stored?: StoredWorkflow; outbound: boolean }): Promise<WorkflowDefinition> {
    const restored = restoreMaskedSecrets(input, options.stored)
    const extra = [...restored.issues, ...(options.outbound ? outboundStepIssues(restored.input, { allowPrivateUrls: this.#allowPrivateUrls }) : [])]
    let def: WorkflowDefinition
    try {
      def = await validateWorkflow(restored.input, {
        id,
        templates: this.#templates,
        productsExist: async (ids) => new Set((await findProducts(this.#db, ids)).keys()),
      })
    } catch (err) {
      if (!(err instanceof ValidationError) || extra.length === 0) throw err
      // Ours say more about the same field (e.g. a masked secret the schema calls malformed).
      const ours = new Set(extra.map((i) => i.path))
      throw new ValidationError(err.message, [...err.issues.filter((i) => !ours.has(i.path)), ...extra], { cause: err })
    }
    if (extra.length > 0) throw new ValidationError('The workflow is not valid', extra)
    return def
  }

  /** Creates a workflow (version 1). 409 when the id is taken. */
  async create(input: unknown): Promise<WorkflowView> {
    const wanted = (input as { id?: unknown } | null)?.id
    const id = typeof wanted === 'string' ? wanted : newId('wf')
    const def = await this.#validate(input, id, { outbound: true })
    if (await findWorkflow(this.#db, id)) throw new ConflictError(`Workflow "${id}" already exists; PUT /v1/workflows/${id} changes it`)
    const saved = await saveWorkflowVersion(this.#db, def)
    this.#onChange()
    return this.view(saved)
  }

  /** Replaces a workflow's definition as a new version; creates it when `upsert` and absent. */
  async replace(id: string, input: unknown, options: { upsert?: boolean } = {}): Promise<{ workflow: WorkflowView; created: boolean }> {
    return this.#replace(id, input, { upsert: options.upsert ?? false, outbound: true })
  }

  async #replace(id: string, input: unknown, options: { upsert: boolean; outbound: boolean }): Promise<{ workflow: WorkflowView; created: boolean }> {
    const body = input && typeof input === 'object' ? { ...(input as object), id } : input
    if (input && typeof input === 'object' && 'id' in input && (input as { id: unknown }).id !== id) {
      throw new ValidationError('The workflow is not valid', [{ path: 'id', message: `must match the URL (${id})` }])
    }
    const existing = await findWorkflow(this.#db, id)
    if (!existing && !options.upsert) throw new NotFoundError('Workflow', id)
    const def = await this.#validate(body, id, { stored: existing, outbound: options.outbound })
    // The same definition again (an unchanged file applied twice) is not a new version.
    if (existing && sameDefinition(existing, def)) return { workflow: await this.view(existing), created: false }
    const saved = await saveWorkflowVersion(this.#db, def)
    this.#onChange()
    return { workflow: await this.view(saved), created: !existing }
  }

  /** Changes only the status (draft / active / paused), as a new version. */
  async setStatus(id: string, status: unknown): Promise<WorkflowView> {
    const current = await getWorkflow(this.#db, id)
    const { version: _v, created_at: _c, updated_at: _u, ...def } = current
    return (await this.#replace(id, { ...def, status }, { upsert: false, outbound: false })).workflow
  }

  /** Every version of a workflow, newest first, as the API shows them (webhook secrets masked). */
  async versions(id: string): Promise<{ version: number; created_at: string; definition: WorkflowDefinition }[]> {
    await getWorkflow(this.#db, id)
    return (await listWorkflowVersions(this.#db, id)).map((v) => ({ ...v, definition: maskStepSecrets(v.definition) }))
  }

  /** Adds warnings (archived products) to a stored workflow and masks its webhook secrets. */
  async view(wf: StoredWorkflow): Promise<WorkflowView> {
    const ids = wf.trigger.products.filter((p) => p !== '*')
    const products = await findProducts(this.#db, ids)
    const warnings = ids.flatMap((p) => {
      const prod = products.get(p)
      if (!prod) return [`product "${p}" no longer exists`]
      return prod.archived ? [`product "${p}" is archived`] : []
    })
    const activeOthers = wf.status === 'active' ? await activeWorkflows(this.#db, [wf.trigger.type]) : []
    warnings.push(...workflowWarnings(wf, { activeOthers, productName: (p) => products.get(p)?.name ?? p }))
    return { ...maskStepSecrets(wf), warnings }
  }

  /**
   * What a run of this workflow would do for `event` (the trigger's sample when omitted): whether
   * it matches and each step rendered, following branches, with no side effects.
   */
  async test(id: string, rawEvent: unknown): Promise<Record<string, unknown>> {
    return this.#dryRun(await getWorkflow(this.#db, id), rawEvent)
  }

  /**
   * The same for a definition not saved yet (the builder's live preview): it is validated as a save
   * would be (a 422 lists every problem), then rendered; nothing is stored.
   */
  async testDraft(input: unknown, rawEvent: unknown): Promise<Record<string, unknown>> {
    const wanted = (input as { id?: unknown } | null)?.id
    const id = typeof wanted === 'string' && wanted ? wanted : 'wf_preview'
    const stored = await findWorkflow(this.#db, id)
    const def = await this.#validate(input, id, { stored, outbound: false })
    return this.#dryRun({ ...def, version: stored ? stored.version + 1 : 1 }, rawEvent)
  }

  async #dryRun(wf: WorkflowDefinition & { readonly version: number }, rawEvent: unknown): Promise<Record<string, unknown>> {
    let event: RecoupEvent
    if (rawEvent === undefined || rawEvent === null) {
      const sample = TRIGGERS[wf.trigger.type].sampleEvent
      const products = wf.trigger.products.includes('*') ? ['prod_sample'] : wf.trigger.products.slice(0, 1)
      event = { ...sample, product_ids: products }
    } else {
      event = parseEvent(rawEvent, ['event'])
    }
    const productIds = selectedProducts(wf.trigger, event)
    const known = await findProducts(this.#db, productIds)
    const products = productIds.map((p) => ({ id: p, name: known.get(p)?.name ?? p, description: known.get(p)?.description ?? null }))
    const now = new Date().toISOString()
    const stored = await findCustomer(this.#db, event.customer.id)
    const customer = { tags: [], fields: {}, sms_opt_out: false, ...stored, ...event.customer }
    const context = eventContext(event, products, now)
    const decline = declineData(context.payment)
    const data: Record<string, unknown> = {
      ...context,
      ...(decline ? { decline } : {}),
      business: this.#preview.business,
      customer,
      workflow: { id: wf.id, name: wf.name, version: wf.version },
      run: { id: 'run_preview', created_at: now },
      // As long as the real short links, so an SMS preview counts the characters the customer gets.
      links: previewLinks(this.#preview.publicUrl),
    }
    const matches = triggerMatches(wf.trigger, event, data)
    const why = matches ? undefined : whyNoMatch(wf.trigger, event, data)
    const program = compileProgram(wf.steps)
    const steps: Record<string, unknown>[] = []
    let cursor = program.start
    while (cursor !== null) {
      const node = program.nodes[cursor]
      const step = node.step
      const action = ACTIONS.get(step.type) as ActionDefinition
      const { id: _id, type: _type, on_error: _onError, ...params } = step
      const render = (t: string, o?: { escapeHtml?: boolean }) => this.#templates.render(t, data, o)
      const input = { params: action.params.parse(params), data, render, now: Date.now() } as Parameters<NonNullable<ActionDefinition['preview']>>[0]
      // A step whose preview cannot be made (a template over its limits) says so in its own entry.
      let shown: Record<string, unknown>
      try {
        shown = action.preview?.(input) ?? {}
      } catch (err) {
        if (!(err instanceof PermanentError)) throw err
        shown = { error: err.message }
      }
      steps.push({ id: step.id, type: step.type, ...shown })
      // A step with arms (a branch) previews the arm it takes as `took`.
      cursor = node.arms && typeof shown.took === 'string' ? enterArm(program, node, shown.took).cursor : node.next
    }
    return {
      workflow_id: wf.id,
      workflow_version: wf.version,
      event_id: event.id,
      matches,
      ...(why ? { reason: why.reason, failed_conditions: why.failed } : {}),
      steps,
    }
  }
}

/** JSON with keys sorted, so two definitions compare by content, not by key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  )
}

/** Whether a validated definition is the stored workflow's current one. */
function sameDefinition(stored: StoredWorkflow, def: WorkflowDefinition): boolean {
  const { version: _v, created_at: _c, updated_at: _u, ...current } = stored
  return canonical(current) === canonical(def)
}

/**
 * Why a trigger does not start a run for an event, in words: the event type, the products, or
 * each condition that does not hold (with the event's value).
 */
function whyNoMatch(trigger: WorkflowDefinition['trigger'], event: RecoupEvent, data: Record<string, unknown>): { reason: string; failed: Record<string, unknown>[] } {
  if (trigger.type !== event.type) return { reason: `this workflow starts on ${trigger.type}; the event is ${event.type}`, failed: [] }
  if (!trigger.products.includes('*') && selectedProducts(trigger, event).length === 0) {
    const has = event.product_ids.length ? event.product_ids.join(', ') : 'no product'
    return { reason: `the event is for ${has}, not for this workflow's products (${trigger.products.join(', ')})`, failed: [] }
  }
  const decline = 'payment' in event ? declineData(event.payment) : undefined
  const seen = decline ? { ...data, decline } : data
  const failed = trigger.conditions
    .map((c, index) => ({ index, ...c, actual: readPath(seen, c.field) ?? null }))
    .filter((c) => !evaluateCondition(c, seen))
  const said = failed.map((c) => `${c.field} ${c.op}${c.value === undefined ? '' : ` ${JSON.stringify(c.value)}`} (the event has ${c.actual === null ? 'none' : JSON.stringify(c.actual)})`)
  return { reason: `condition${failed.length === 1 ? '' : 's'} not met: ${said.join('; ')}`, failed }
}
