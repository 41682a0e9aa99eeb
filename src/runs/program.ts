import type { RawStep } from '../domain/workflow.js'
import { armsOf } from '../steps/registry.js'

/** Where one arm of a step with arms (a branch's `then`, `else`) starts, and the ids of the steps inside it. */
export interface ProgramArm {
  /** Index of the arm's first step; an empty arm goes straight to what follows the step. */
  readonly start: number | null
  /** Ids of steps inside the arm, marked `skipped` when another arm is taken. */
  readonly ids: readonly string[]
}

/** A step placed in the run's program: where to go next, and for a step with arms where each starts. */
export interface ProgramNode {
  readonly index: number
  readonly step: RawStep
  next: number | null
  /** Steps with arms only (see ActionTraits.arms), by arm name. */
  arms?: Record<string, ProgramArm>
}

export interface Program {
  readonly nodes: readonly ProgramNode[]
  /** Index of the first step, or null for an empty workflow. */
  readonly start: number | null
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
      for (const arm of armsOf(step)) place(arm.steps)
    }
  }
  place(steps)
  const byId = new Map(nodes.map((n) => [n.step.id, n]))
  const first = (seq: readonly RawStep[]): number | null => (seq.length ? byId.get(seq[0].id)!.index : null)
  const ids = (seq: readonly RawStep[]): string[] => seq.flatMap((s) => [s.id, ...armsOf(s).flatMap((a) => ids(a.steps))])
  const link = (seq: readonly RawStep[], cont: number | null): void => {
    seq.forEach((step, i) => {
      const node = byId.get(step.id)!
      node.next = i + 1 < seq.length ? byId.get(seq[i + 1].id)!.index : cont
      const arms = armsOf(step)
      if (arms.length === 0) return
      node.arms = Object.fromEntries(arms.map((a) => [a.name, { start: first(a.steps) ?? node.next, ids: ids(a.steps) }]))
      for (const a of arms) link(a.steps, node.next)
    })
  }
  link(steps, null)
  return { nodes, start: first(steps) }
}

/** Where the run goes when `node` takes `arm`, and the nodes of the arms not taken (recorded as skipped). */
export function enterArm(program: Program, node: ProgramNode, arm: string): { cursor: number | null; skip: ProgramNode[] } {
  const arms = node.arms ?? {}
  const taken = arms[arm]
  if (!taken) throw new Error(`step "${node.step.id}" has no arm "${arm}"`)
  const skipped = new Set(Object.entries(arms).flatMap(([name, a]) => (name === arm ? [] : a.ids)))
  return { cursor: taken.start, skip: program.nodes.filter((n) => skipped.has(n.step.id)) }
}
