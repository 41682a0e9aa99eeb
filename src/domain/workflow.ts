import { z } from 'zod'
import { conditionSchema } from './conditions.js'
import { EVENT_TYPES } from './events.js'
import { WORKFLOW_STATUSES, type WorkflowStatus } from './statuses.js'
import { timeZoneSchema } from './time-zone.js'

/** Event types a workflow can be triggered by. */
export const TRIGGER_TYPES = ['payment.failed', 'installment_plan.canceled'] as const
export type TriggerType = (typeof TRIGGER_TYPES)[number]

export { WORKFLOW_STATUSES, type WorkflowStatus } from './statuses.js'

export const stepIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be 1-64 letters, digits, "-" or "_", starting with a letter or digit')

export const triggerSchema = z.strictObject({
  type: z.enum(TRIGGER_TYPES, { error: `must be one of: ${TRIGGER_TYPES.join(', ')}` }),
  products: z.array(z.string().min(1)).min(1, 'select at least one product, or ["*"] for any'),
  conditions: z.array(conditionSchema).max(50).default([]),
})
export type Trigger = z.output<typeof triggerSchema>

/**
 * What a step's failure (after its retries) does to the run: `fail` stops it, `continue` records the
 * step as failed and goes on. Team alerts continue by default (a broken Slack webhook must not stop
 * the customer's recovery); customer-facing and payment steps fail the run unless they say otherwise.
 */
export const ON_ERROR = ['fail', 'continue'] as const
export type OnError = (typeof ON_ERROR)[number]
// Each type's default is its action's `continuesOnError` trait (src/steps/registry.ts continuesOnError).

/** A step before its type-specific fields are checked (the action registry checks those). */
export const rawStepSchema = z.looseObject({ id: stepIdSchema, type: z.string().min(1) })
export type RawStep = z.output<typeof rawStepSchema>

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM (24-hour)')

/** Hours in which customers are not messaged; sends due then wait until the window ends. */
export const quietHoursSchema = z.strictObject({
  start: clock,
  end: clock,
  time_zone: timeZoneSchema.optional(),
})

export const workflowInputSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must be 1-128 letters, digits, ".", "-" or "_"').optional(),
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  status: z.enum(WORKFLOW_STATUSES).default('draft'),
  trigger: triggerSchema,
  exit_on: z.array(z.enum(EVENT_TYPES)).optional(),
  quiet_hours: quietHoursSchema.optional(),
  steps: z.array(rawStepSchema).min(1, 'a workflow needs at least one step').max(100),
})
export type WorkflowInput = z.input<typeof workflowInputSchema>

/** A saved, validated workflow definition (what a version pins). */
export interface WorkflowDefinition {
  readonly id: string
  readonly name: string
  readonly description?: string
  readonly status: WorkflowStatus
  readonly trigger: Trigger
  readonly exit_on: readonly string[]
  readonly quiet_hours?: z.output<typeof quietHoursSchema>
  readonly steps: readonly RawStep[]
}

/** exit_on when the user gives none: a recovery ends once the customer has paid. */
export const DEFAULT_EXIT_ON = ['payment.succeeded'] as const
