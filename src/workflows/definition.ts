import type { z } from 'zod'
import { ACTIONS, STEP_TYPES } from '../steps/registry.js'
import { amountValueProblem } from '../domain/amount-fields.js'
import type { Condition } from '../domain/conditions.js'
import { ValidationError, type FieldIssue } from '../domain/errors.js'
import {
  DEFAULT_EXIT_ON,
  ON_ERROR,
  TRIGGER_TYPES,
  rawStepSchema,
  workflowInputSchema,
  type RawStep,
  type WorkflowDefinition,
} from '../domain/workflow.js'
import { assertJsonText, jsonShape, jsonTemplateStrings, type JsonValue } from '../templates/json-template.js'
import { TemplateError, type TemplateRenderer } from '../templates/render.js'
import { TRIGGERS } from '../triggers/catalog.js'
import { eventContext } from '../triggers/trigger.js'
import { checkVariable, type VariableTree } from '../triggers/variables.js'
import { formatPath, zodIssues } from '../domain/zod-issues.js'

export interface ProductLookup {
  /** Returns the ids among `ids` that exist. */
  (ids: readonly string[]): Promise<ReadonlySet<string>>
}

/**
 * Checks a workflow as submitted and returns its normalized definition, or throws a
 * ValidationError listing every bad field: shape, unknown step types, step params, duplicate step
 * ids, conditions on unknown fields, templates naming unknown variables or failing (a runaway
 * loop, a JSON body that is not JSON) with the trigger's sample data, unknown products.
 */
export async function validateWorkflow(
  input: unknown,
  options: { id: string; templates: TemplateRenderer; productsExist: ProductLookup },
): Promise<WorkflowDefinition> {
  const parsed = workflowInputSchema.safeParse(input)
  if (!parsed.success) throw new ValidationError('The workflow is not valid', [...zodIssues(parsed.error, [], 'workflow'), ...stepIssuesAnyway(input, parsed.error, options)])
  const wf = parsed.data
  const issues: FieldIssue[] = []
  const vars = TRIGGERS[wf.trigger.type].variables
  const seen = new Set<string>()

  wf.trigger.conditions.forEach((c, i) => {
    const problem = checkVariable(vars, c.field.split('.'))
    if (problem) issues.push({ path: `trigger.conditions[${i}].field`, message: problem })
    const amount = amountValueProblem(c)
    if (amount) issues.push({ path: `trigger.conditions[${i}].value`, message: amount })
  })
  const wanted = wf.trigger.products.filter((p) => p !== '*')
  if (wanted.length > 0) {
    const found = await options.productsExist(wanted)
    wf.trigger.products.forEach((p, i) => {
      if (p !== '*' && !found.has(p)) issues.push({ path: `trigger.products[${i}]`, message: `unknown product "${p}"` })
    })
  }
  if (wf.trigger.products.includes('*') && wf.trigger.products.length > 1) {
    issues.push({ path: 'trigger.products', message: '"*" (any product) cannot be combined with product ids' })
  }
  const steps = checkSteps(wf.steps, 'steps', {
    issues,
    seen,
    vars,
    templates: options.templates,
    trigger: wf.trigger.type,
    sample: sampleData(wf.trigger.type, wf.name),
    sampleBudgetMs: SAMPLE_RENDER_BUDGET * options.templates.limits.renderLimitMs,
  })
  if (issues.length > 0) throw new ValidationError('The workflow is not valid', issues)
  return {
    id: options.id,
    name: wf.name,
    ...(wf.description ? { description: wf.description } : {}),
    status: wf.status,
    trigger: wf.trigger,
    exit_on: wf.exit_on ?? [...DEFAULT_EXIT_ON],
    ...(wf.quiet_hours ? { quiet_hours: wf.quiet_hours } : {}),
    steps,
  }
}

/**
 * The steps' own problems when the workflow's shape is wrong elsewhere (no name, no products), so
 * one save shows every error at once instead of one round per field.
 */
function stepIssuesAnyway(input: unknown, error: z.ZodError, options: { templates: TemplateRenderer }): FieldIssue[] {
  const raw = input !== null && typeof input === 'object' ? (input as { name?: unknown; trigger?: { type?: unknown }; steps?: unknown }) : {}
  const steps = rawStepSchema.array().max(100).safeParse(raw.steps)
  if (!steps.success) return []
  const type = TRIGGER_TYPES.find((t) => t === raw.trigger?.type) ?? 'payment.failed'
  const issues: FieldIssue[] = []
  checkSteps(steps.data, 'steps', {
    issues, seen: new Set(), vars: TRIGGERS[type].variables, templates: options.templates, trigger: type,
    sample: sampleData(type, typeof raw.name === 'string' ? raw.name : 'Workflow'),
    sampleBudgetMs: SAMPLE_RENDER_BUDGET * options.templates.limits.renderLimitMs,
  })
  const known = new Set(error.issues.map((i) => formatPath(i.path)))
  return issues.filter((i) => !known.has(i.path))
}

interface CheckState {
  readonly issues: FieldIssue[]
  readonly seen: Set<string>
  readonly vars: VariableTree
  readonly templates: TemplateRenderer
  readonly trigger: WorkflowDefinition['trigger']['type']
  /** Template data like a run's, from the trigger's sample event. */
  readonly sample: Readonly<Record<string, unknown>>
  /** Render time left for sample renders; a save blocks the server while they run. */
  sampleBudgetMs: number
}

// Sample renders per save that may each run up to the render limit (only runaway templates do).
const SAMPLE_RENDER_BUDGET = 5

function checkSteps(steps: readonly RawStep[], at: string, st: CheckState): RawStep[] {
  return steps.map((step, i) => checkStep(step, `${at}[${i}]`, st))
}

function checkStep(step: RawStep, at: string, st: CheckState): RawStep {
  if (st.seen.has(step.id)) st.issues.push({ path: `${at}.id`, message: `step id "${step.id}" is used twice; ids must be unique` })
  st.seen.add(step.id)
  const { id, type, on_error: onError, ...fields } = step
  if (onError !== undefined && !(ON_ERROR as readonly unknown[]).includes(onError)) {
    st.issues.push({ path: `${at}.on_error`, message: `must be one of: ${ON_ERROR.join(', ')} (what the run does when this step fails after its retries)` })
  }
  const action = ACTIONS.get(type)
  if (!action) {
    st.issues.push({ path: `${at}.type`, message: `unknown step type "${type}"; use one of: ${STEP_TYPES.join(', ')}` })
    return step
  }
  const arms = action.traits.arms ?? []
  const parsed = action.params.safeParse(fields)
  if (!parsed.success) {
    const bad = zodIssues(parsed.error).map((i) => ({ path: i.path === '(body)' ? at : `${at}.${i.path}`, message: i.message }))
    st.issues.push(...bad)
    // The step's other templates and nested steps are still checked: one save shows every problem.
    for (const name of action.templates ?? []) {
      const value = (fields as Record<string, unknown>)[name]
      if (typeof value === 'string' && !bad.some((i) => i.path === `${at}.${name}`)) checkTemplate(value, `${at}.${name}`, st)
    }
    for (const name of arms) {
      const list = rawStepSchema.array().safeParse((fields as Record<string, unknown>)[name])
      if (list.success) checkSteps(list.data, `${at}.${name}`, st)
    }
    return step
  }
  const params = parsed.data as Record<string, unknown>
  const rule = action.check?.(params, { trigger: st.trigger })
  if (rule) st.issues.push({ path: `${at}.${rule.path}`, message: rule.message })
  for (const name of action.conditions ?? []) {
    const list = (params[name] ?? []) as Condition[]
    list.forEach((c, i) => {
      const problem = checkVariable(st.vars, c.field.split('.'))
      if (problem) st.issues.push({ path: `${at}.${name}[${i}].field`, message: problem })
      const amount = amountValueProblem(c)
      if (amount) st.issues.push({ path: `${at}.${name}[${i}].value`, message: amount })
    })
  }
  for (const name of action.templates ?? []) {
    // A JSON template (a webhook's body) is an object or array whose strings are templates, or a
    // template string, checked the same way when it is JSON already, else required to make JSON from the sample.
    const json = action.jsonTemplates?.includes(name) ?? false
    const value = json && typeof params[name] === 'string' ? (jsonShape(params[name] as string) ?? params[name]) : params[name]
    if (typeof value === 'string') {
      const rendered = checkTemplate(value, `${at}.${name}`, st)
      if (json && rendered !== undefined) checkJsonText(rendered, `${at}.${name}`, st)
    } else if (value !== null && typeof value === 'object') {
      for (const leaf of jsonTemplateStrings(value as JsonValue, [name])) checkTemplate(leaf.source, `${at}.${formatPath(leaf.path)}`, st)
    }
  }
  // Nested steps (a branch's arms) are checked like the top level, and always saved as lists.
  for (const name of arms) params[name] = checkSteps((params[name] ?? []) as RawStep[], `${at}.${name}`, st)
  return { id, type, ...(onError !== undefined ? { on_error: onError } : {}), ...params }
}

/** Checks a template's variables, then renders it with sample data; returns the text, or undefined when it has a problem (or was not rendered). */
function checkTemplate(source: string, path: string, st: CheckState): string | undefined {
  let paths: (string | number)[][]
  try {
    paths = st.templates.variables(source)
  } catch (err) {
    const message = err instanceof TemplateError ? err.message : `template does not parse: ${(err as Error).message.split('\n')[0]}`
    st.issues.push({ path, message })
    return undefined
  }
  for (const p of paths) {
    const problem = checkVariable(st.vars, p)
    if (problem) {
      st.issues.push({ path, message: problem })
      return undefined
    }
  }
  const limit = st.templates.limits.renderLimitMs
  if (st.sampleBudgetMs < limit) return undefined
  const t0 = performance.now()
  try {
    return st.templates.render(source, st.sample)
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err
    st.issues.push({ path, message: `${err.message}, with the trigger's sample data` })
    return undefined
  } finally {
    st.sampleBudgetMs -= performance.now() - t0
  }
}

function checkJsonText(rendered: string, path: string, st: CheckState): void {
  try {
    assertJsonText(rendered)
  } catch (err) {
    st.issues.push({ path, message: `with the trigger's sample data, ${(err as Error).message}` })
  }
}

/** What a run of this trigger would render with, from the trigger's sample event. */
function sampleData(trigger: CheckState['trigger'], workflowName: string): Record<string, unknown> {
  const event = TRIGGERS[trigger].sampleEvent
  const product = { id: 'prod_sample', name: 'Sample product', description: null }
  const portal = 'https://recoup.example/portal'
  return {
    ...eventContext(event, [product], event.occurred_at ?? '2026-11-21T10:00:00Z'),
    customer: { tags: [], fields: {}, time_zone: null, ...event.customer },
    workflow: { id: 'wf_sample', name: workflowName, version: 1 },
    run: { id: 'run_sample', created_at: event.occurred_at },
    links: { update_payment: `${portal}/update-payment/sample`, offer: `${portal}/offer/sample`, unsubscribe: `${portal}/unsubscribe/sample` },
  }
}
