import { z } from 'zod'
import { conditionSchema, evaluateAll, type Condition } from '../domain/conditions.js'
import { rawStepSchema } from '../domain/workflow.js'
import { defineAction, type TemplateData } from './action.js'

// Each arm's steps are checked one by one at save time (against the registry), not here.
const arm = rawStepSchema.array().max(100).optional()

/** The arm a branch takes for this data: `then` when every condition holds. */
export function takenArm(conditions: readonly Condition[], data: TemplateData): 'then' | 'else' {
  return evaluateAll(conditions, data) ? 'then' : 'else'
}

/**
 * Goes one of two ways: into `then` when every condition in `if` holds, else into `else`. The
 * steps of the arm not taken are recorded as skipped; either arm rejoins the steps after the branch.
 */
export const branch = defineAction({
  type: 'branch',
  title: 'Branch (if / else)',
  traits: { outside: false, customerMessage: false, readsRecords: false, continuesOnError: false, arms: ['then', 'else'] },
  params: z.strictObject({
    if: conditionSchema.array().min(1, 'a branch needs at least one condition in "if"'),
    then: arm,
    else: arm,
  }),
  conditions: ['if'],
  preview({ params, data }) {
    return { took: takenArm(params.if, data) }
  },
  async run({ params, data }) {
    const took = takenArm(params.if, data)
    return { status: 'completed', output: { took }, arm: took }
  },
})
