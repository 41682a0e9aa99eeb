// The policies the lab compares: Recoup's starter recovery workflow, two competitor schedules, and
// any workflow file the user gives.
import { readFileSync } from 'node:fs'
import { basename, extname } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { FIXED, stripePolicy, type DirectPolicy } from './direct.js'
import type { WorkflowSource } from './engine-policy.js'
import { DECLINE_CODES } from './world-codes.js'

export type Policy =
  | { readonly name: string; readonly kind: 'engine'; readonly workflow: WorkflowSource }
  | { readonly name: string; readonly kind: 'direct'; readonly policy: DirectPolicy }

/** Recoup's starter recovery workflow, read from the catalog (GET /v1/workflow-templates/…) at run time. */
export const DEFAULT_POLICY: Policy = { name: 'default', kind: 'engine', workflow: { template: 'starter_failed_payment_recovery' } }

/** default, fixed and stripe. */
export function builtinPolicies(): Policy[] {
  const hard = (f: { code: keyof typeof DECLINE_CODES }) => ['hard', 'data'].includes(DECLINE_CODES[f.code].kind)
  return [
    DEFAULT_POLICY,
    { name: 'fixed', kind: 'direct', policy: FIXED },
    { name: 'stripe', kind: 'direct', policy: stripePolicy(hard) },
  ]
}

/** A workflow file (JSON or YAML, as POST /v1/workflows takes it) as a policy named after the file. */
export function workflowFilePolicy(path: string): Policy {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new Error(`cannot read workflow ${path}: ${(err as Error).message}`)
  }
  let definition: unknown
  try {
    definition = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text)
  } catch (err) {
    throw new Error(`workflow ${path} is not valid ${/\.ya?ml$/i.test(path) ? 'YAML' : 'JSON'}: ${(err as Error).message}`)
  }
  if (!definition || typeof definition !== 'object' || Array.isArray(definition)) throw new Error(`workflow ${path} must be an object`)
  return { name: basename(path, extname(path)), kind: 'engine', workflow: { definition: definition as Record<string, unknown> } }
}
