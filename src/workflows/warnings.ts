// Things worth saying about a workflow that are not errors: it is saved, and these are shown beside
// it (GET /v1/workflows/:id `warnings`, the builder, the workflow list).
import type { Condition } from '../domain/conditions.js'
import type { RawStep, WorkflowDefinition } from '../domain/workflow.js'
import { ACTIONS, allSteps, armsOf, traitsOf } from '../steps/registry.js'

const requiresPhone = (conditions: readonly Condition[]): boolean =>
  conditions.some((c) => c.field === 'customer.phone' && c.op === 'exists' && c.value !== false)

/** A step's own conditions (a branch's `if`), from the params its action declares as conditions. */
function conditionsOf(step: RawStep): Condition[] {
  return (ACTIONS.get(step.type)?.conditions ?? []).flatMap((name) => (Array.isArray(step[name]) ? (step[name] as Condition[]) : []))
}

/** Steps that reach the customer only under an arm entered when the customer has a phone (a branch's first arm). */
function phoneGuarded(steps: readonly RawStep[], guarded = false): Set<string> {
  const out = new Set<string>()
  for (const s of steps) {
    const arms = armsOf(s)
    const needsPhone = requiresPhone(conditionsOf(s))
    arms.forEach((arm, i) => {
      for (const id of phoneGuarded(arm.steps, guarded || (i === 0 && needsPhone))) out.add(id)
    })
    if (arms.length === 0 && guarded) out.add(s.id)
  }
  return out
}

/** Addresses reserved for examples (RFC 2606): a template's placeholder nobody reads. */
const EXAMPLE_ADDRESS = /@(?:[a-z0-9-]+\.)*example\.(?:com|org|net)\b/i

/**
 * Warnings for a saved workflow, in people's words: an offer no message links to, an SMS to
 * customers who may have no phone, an example address left from a template, and other active
 * workflows that start on the same trigger for the same products (a customer would get both).
 */
export function workflowWarnings(
  wf: WorkflowDefinition,
  context: { readonly activeOthers: readonly Pick<WorkflowDefinition, 'id' | 'name' | 'trigger'>[]; readonly productName: (id: string) => string },
): string[] {
  const out: string[] = []
  const steps = allSteps(wf.steps)
  const messages = steps.filter((s) => traitsOf(s.type).customerMessage)
  for (const step of steps) {
    const portal = ACTIONS.get(step.type)?.portal
    if (portal && !messages.some((m) => JSON.stringify(m).includes(`links.${portal.link}`))) {
      out.push(`${step.type} step "${step.id}" is never linked: no email or SMS of this workflow contains {{ links.${portal.link} }}, so customers cannot see it`)
    }
  }
  const triggerNeedsPhone = requiresPhone(wf.trigger.conditions)
  const guarded = phoneGuarded(wf.steps)
  for (const msg of steps.filter((s) => traitsOf(s.type).address === 'phone' && s.to === undefined && !guarded.has(s.id))) {
    if (!triggerNeedsPhone) {
      out.push(`SMS step "${msg.id}" texts the customer, but the trigger does not require a phone: customers without one will skip it (add the condition "customer.phone exists", or a branch on it)`)
    }
  }
  for (const s of steps) {
    for (const key of ['to', 'notify'] as const) {
      const v = s[key]
      if (typeof v === 'string' && EXAMPLE_ADDRESS.test(v)) out.push(`step "${s.id}" sends to ${v}, an example address: replace it with your team's before activating`)
    }
  }
  if (wf.status === 'active') {
    for (const other of context.activeOthers) {
      if (other.id === wf.id || other.trigger.type !== wf.trigger.type) continue
      const shared = overlap(wf.trigger.products, other.trigger.products)
      if (shared === null) continue
      const what = shared === '*' ? 'any product' : shared.map((p) => `"${context.productName(p)}"`).join(', ')
      out.push(`another active workflow, "${other.name}", also starts on ${wf.trigger.type} for ${what}: a customer may get both (unless their conditions differ)`)
    }
  }
  return out
}

/** The products two triggers share ('*' when both take any product), or null when none. */
function overlap(a: readonly string[], b: readonly string[]): readonly string[] | '*' | null {
  if (a.includes('*') && b.includes('*')) return '*'
  if (a.includes('*')) return b.length ? b : null
  if (b.includes('*')) return a.length ? a : null
  const shared = a.filter((p) => b.includes(p))
  return shared.length ? shared : null
}
