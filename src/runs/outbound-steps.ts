// Save-time rules for the steps that call out (webhook, notify_team), and how their secrets are shown.
// A workflow comes back from the API with webhook secrets masked; the dashboard sends the whole definition
// on save, so a mask that comes back unchanged stands for the secret already stored.
import { savedUrlProblem } from '../channels/address-guard.js'
import type { FieldIssue } from '../domain/errors.js'
import { isMaskedWebhookSecret, isWebhookSecret, maskWebhookSecret, WEBHOOK_SECRET_RULE } from '../domain/webhook-secret.js'
import type { RawStep } from '../domain/workflow.js'
import { traitsOf } from '../steps/registry.js'

type Step = Readonly<Record<string, unknown>>

/** `fn` applied to every step object of a (possibly invalid) step list, branch arms included, with its path. */
function mapSteps(steps: unknown, at: string, fn: (step: Step, at: string) => Step): unknown {
  if (!Array.isArray(steps)) return steps
  return steps.map((raw: unknown, i) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw
    const path = `${at}[${i}]`
    const step = fn(raw as Step, path)
    const arms = (traitsOf(String(step.type)).arms ?? []).filter((arm) => arm in step)
    return { ...step, ...Object.fromEntries(arms.map((arm) => [arm, mapSteps(step[arm], `${path}.${arm}`, fn)])) }
  })
}

function forEachStep(steps: unknown, fn: (step: Step, at: string) => void): void {
  mapSteps(steps, 'steps', (step, at) => (fn(step, at), step))
}

function stepsOf(input: unknown): unknown {
  return input !== null && typeof input === 'object' ? (input as { steps?: unknown }).steps : undefined
}

/** The signing secret of a step that calls a URL (the param its `callsUrl` trait names). */
const secretParam = (step: Step): string => traitsOf(String(step.type)).callsUrl?.secret ?? 'secret'

function secretOf(step: Step): string | undefined {
  const name = traitsOf(String(step.type)).callsUrl?.secret
  const secret = name === undefined ? undefined : step[name]
  return typeof secret === 'string' ? secret : undefined
}

/** The workflow as the API shows it: every webhook step's secret masked. */
export function maskStepSecrets<T extends { readonly steps: readonly RawStep[] }>(wf: T): T {
  const steps = mapSteps(wf.steps, 'steps', (step) => {
    const secret = secretOf(step)
    return secret === undefined ? step : { ...step, [secretParam(step)]: maskWebhookSecret(secret) }
  })
  return { ...wf, steps: steps as RawStep[] }
}

/**
 * `input` with each masked webhook secret replaced by the stored secret it stands for (the same step's,
 * else the only stored secret with that mask, so renaming a step keeps it). A mask that stands for no
 * stored secret is an issue: the real secret cannot be recovered from it.
 */
export function restoreMaskedSecrets(input: unknown, stored: { readonly steps: readonly RawStep[] } | undefined): { input: unknown; issues: FieldIssue[] } {
  const byStep = new Map<string, string>()
  forEachStep(stored?.steps, (step) => {
    const secret = secretOf(step)
    if (secret !== undefined) byStep.set(String(step.id), secret)
  })
  const issues: FieldIssue[] = []
  const steps = mapSteps(stepsOf(input), 'steps', (step, at) => {
    const sent = secretOf(step)
    if (sent === undefined || !isMaskedWebhookSecret(sent)) return step
    const own = byStep.get(String(step.id))
    const same = new Set([...byStep.values()].filter((s) => maskWebhookSecret(s) === sent))
    const secret = own !== undefined && maskWebhookSecret(own) === sent ? own : same.size === 1 ? [...same][0] : undefined
    if (secret === undefined) {
      issues.push({ path: `${at}.${secretParam(step)}`, message: 'is a masked secret that stands for no secret stored in this workflow; enter the whole whsec_ secret' })
      return step
    }
    return { ...step, [secretParam(step)]: secret }
  })
  return { input: Array.isArray(steps) ? { ...(input as object), steps } : input, issues }
}

/**
 * What is wrong with the outbound parts of a workflow as submitted: a webhook secret that is not a
 * Standard Webhooks secret, and (unless private addresses are allowed) a URL whose host is never public.
 * Only the URL itself is judged; names are resolved, and refused if private, when the call is made.
 */
export function outboundStepIssues(input: unknown, options: { readonly allowPrivateUrls: boolean }): FieldIssue[] {
  const issues: FieldIssue[] = []
  forEachStep(stepsOf(input), (step, at) => {
    if (!traitsOf(String(step.type)).callsUrl) return
    const secret = secretOf(step)
    if (secret !== undefined && !isMaskedWebhookSecret(secret) && !isWebhookSecret(secret)) {
      issues.push({ path: `${at}.${secretParam(step)}`, message: WEBHOOK_SECRET_RULE })
    }
    if (!options.allowPrivateUrls && typeof step.url === 'string') {
      const problem = savedUrlProblem(step.url)
      if (problem) issues.push({ path: `${at}.url`, message: problem })
    }
  })
  return issues
}
