import type { Condition } from '../domain/conditions.js'
import type { RawStep } from '../domain/workflow.js'

/** A step placed in the run's program: where to go next, and for a branch where each arm starts. */
export interface ProgramNode {
  readonly index: number
  readonly step: RawStep
  next: number | null
  /** Branch only. */
  then?: number | null
  else?: number | null
  /** Branch only: ids of steps inside each arm, marked `skipped` when the other arm is taken. */
  thenIds?: string[]
  elseIds?: string[]
}

export interface Program {
  readonly nodes: readonly ProgramNode[]
  /** Index of the first step, or null for an empty workflow. */
  readonly start: number | null
}

/** A branch step's own fields. */
export interface BranchStep extends RawStep {
  readonly if: Condition[]
  readonly then?: RawStep[]
  readonly else?: RawStep[]
}

/** True for a `branch` step. */
export function isBranch(step: RawStep): step is BranchStep {
  return step.type === 'branch'
}

/**
 * Flattens nested steps into a list of nodes with explicit successors, so a run's position is a
 * single integer that survives restarts and never depends on in-memory call stacks.
 */
export function compileProgram(steps: readonly RawStep[]): Program {
  const nodes: ProgramNode[] = []
  const place = (seq: readonly RawStep[]): void => {
    for (const step of seq) {
      nodes.push({ index: nodes.length, step, next: null })
      if (isBranch(step)) {
        place(step.then ?? [])
        place(step.else ?? [])
      }
    }
  }
  place(steps)
  const byId = new Map(nodes.map((n) => [n.step.id, n]))
  const first = (seq: readonly RawStep[] | undefined): number | null => (seq?.length ? byId.get(seq[0].id)!.index : null)
  const ids = (seq: readonly RawStep[] | undefined): string[] =>
    (seq ?? []).flatMap((s) => [s.id, ...(isBranch(s) ? [...ids(s.then), ...ids(s.else)] : [])])
  const link = (seq: readonly RawStep[], cont: number | null): void => {
    seq.forEach((step, i) => {
      const node = byId.get(step.id)!
      node.next = i + 1 < seq.length ? byId.get(seq[i + 1].id)!.index : cont
      if (isBranch(step)) {
        node.then = first(step.then) ?? node.next
        node.else = first(step.else) ?? node.next
        node.thenIds = ids(step.then)
        node.elseIds = ids(step.else)
        link(step.then ?? [], node.next)
        link(step.else ?? [], node.next)
      }
    })
  }
  link(steps, null)
  return { nodes, start: first(steps) }
}
