// The one list of step types. Adding a step type: write src/steps/<name>.ts with defineAction
// (its params, traits, templates, handler) and add it here; nothing else names step types.
import type { RawStep } from '../domain/workflow.js'
import type { ActionDefinition, ActionTraits } from './action.js'
import { branch } from './branch.js'
import { notifyTeam } from './notify-team.js'
import { offer } from './offer.js'
import { retryPayment } from './retry-payment.js'
import { sendEmail } from './send-email.js'
import { sendSms } from './send-sms.js'
import { updateCustomer } from './update-customer.js'
import { updateSubscription } from './update-subscription.js'
import { wait } from './wait.js'
import { webhook } from './webhook.js'

/** Every step type by name, in the order the dashboard offers them. */
export const ACTIONS: ReadonlyMap<string, ActionDefinition> = new Map(
  [sendEmail, sendSms, notifyTeam, updateCustomer, wait, webhook, retryPayment, offer, updateSubscription, branch].map((a) => [a.type, a as unknown as ActionDefinition]),
)

/** Step types a workflow may use, for messages and the dashboard. */
export const STEP_TYPES: readonly string[] = [...ACTIONS.keys()]

/** Traits of an unknown type: assume the most (it reads and touches everything, fails the run). */
const UNKNOWN: ActionTraits = { outside: true, customerMessage: false, readsRecords: true, continuesOnError: false }

/** The traits of a step type (the most careful ones for a type no action declares). */
export function traitsOf(type: string): ActionTraits {
  return ACTIONS.get(type)?.traits ?? UNKNOWN
}

/** A step's nested step lists (a branch's `then` and `else`), by arm name; empty for a step with no arms. */
export function armsOf(step: RawStep): { readonly name: string; readonly steps: readonly RawStep[] }[] {
  return (traitsOf(step.type).arms ?? []).map((name) => ({ name, steps: Array.isArray(step[name]) ? (step[name] as RawStep[]) : [] }))
}

/** Every step of a list, nested arms included, in document order. */
export function allSteps(steps: readonly RawStep[]): RawStep[] {
  return steps.flatMap((s) => [s, ...armsOf(s).flatMap((a) => allSteps(a.steps))])
}

/** Whether a step's failure (after its retries) lets the run go on: its `on_error`, else its type's trait. */
export function continuesOnError(step: { readonly type: string; readonly on_error?: unknown }): boolean {
  return step.on_error === undefined ? traitsOf(step.type).continuesOnError : step.on_error === 'continue'
}
