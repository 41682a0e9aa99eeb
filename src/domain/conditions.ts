import { z } from 'zod'

export const CONDITION_OPS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'exists'] as const

export const conditionSchema = z.strictObject({
  field: z.string().regex(/^[a-z_][a-z0-9_]*(\.[A-Za-z0-9_-]+)+$/, 'must be a dotted path such as payment.amount'),
  op: z.enum(CONDITION_OPS),
  value: z.unknown().optional(),
})
export type Condition = z.output<typeof conditionSchema>

/** Reads a dotted path from plain data, without touching prototypes. */
export function readPath(data: unknown, path: string): unknown {
  let cur: unknown = data
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, key)) return undefined
    cur = (cur as Record<string, unknown>)[key]
  }
  return cur
}

function compare(a: unknown, b: unknown): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  return null
}

/** True when one condition holds for `data`. */
export function evaluateCondition(cond: Condition, data: unknown): boolean {
  const actual = readPath(data, cond.field)
  const expected = cond.value
  switch (cond.op) {
    case 'exists':
      return expected === false ? actual === undefined || actual === null : actual !== undefined && actual !== null
    case 'eq':
      return actual === expected
    case 'ne':
      return actual !== expected
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const c = compare(actual, expected)
      if (c === null) return false
      return cond.op === 'gt' ? c > 0 : cond.op === 'gte' ? c >= 0 : cond.op === 'lt' ? c < 0 : c <= 0
    }
    case 'in':
      return Array.isArray(expected) && expected.includes(actual)
    case 'contains':
      if (Array.isArray(actual)) return actual.includes(expected)
      if (typeof actual === 'string' && typeof expected === 'string') return actual.includes(expected)
      return false
  }
}

/** True when every condition holds (an empty list holds). */
export function evaluateAll(conds: readonly Condition[], data: unknown): boolean {
  return conds.every((c) => evaluateCondition(c, data))
}
