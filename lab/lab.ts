// The lab's one entry point for the CLI and the tests: runs policies over a population and
// gathers their outcomes.
import { runDirect } from './direct.js'
import { runEnginePolicy, type EngineProfile } from './engine-policy.js'
import type { Policy } from './policies.js'
import { drawFailures, type Population } from './population.js'
import { judge, summarize, type PolicyFigures, type PolicyOutcome } from './report.js'
import { World } from './world.js'

export interface Comparison {
  readonly outcomes: PolicyOutcome[]
  /** Wall time per policy (ms). */
  readonly elapsed: Map<string, number>
  /** Where an engine policy's time went. */
  readonly profiles: Map<string, EngineProfile>
}

/** Runs each policy over the same failures of `population`, each followed for `days` days. */
export async function comparePolicies(population: Population, policies: readonly Policy[], days: number, log: (line: string) => void = () => {}): Promise<Comparison> {
  const failures = drawFailures(population)
  const outcomes: PolicyOutcome[] = []
  const elapsed = new Map<string, number>()
  const profiles = new Map<string, EngineProfile>()
  for (const policy of policies) {
    const t0 = performance.now()
    const world = new World(population, failures)
    if (policy.kind === 'engine') {
      const profile = await runEnginePolicy(world, policy.workflow, days, log)
      profiles.set(policy.name, profile)
      if (profile.recoveredRuns !== world.recoveries.size) {
        log(`${policy.name}: the store has ${profile.recoveredRuns} recovered runs, the issuers approved ${world.recoveries.size} payments`)
      }
    } else {
      runDirect(policy.policy, world, days)
    }
    elapsed.set(policy.name, performance.now() - t0)
    outcomes.push(summarize(policy.name, world, days))
  }
  return { outcomes, elapsed, profiles }
}

/** The result of `--perturb`: how often `default` won, and each variation's figures. */
export interface PerturbResult {
  readonly variations: number
  readonly default_wins: number
  readonly win_rate: number
  readonly runs: { readonly variation: number; readonly wins: boolean; readonly reasons: string[]; readonly policies: PolicyFigures[] }[]
}

/** `--json`'s document (no timings, so a seed's runs print the same bytes). */
export function labDocument(population: Population, days: number, comparison: Comparison, perturbed?: PerturbResult): Record<string, unknown> {
  return {
    population: population.name ?? null,
    size: population.size,
    seed: population.seed,
    days,
    currency: population.currency,
    money_unit: 'minor',
    policies: comparison.outcomes.map((o) => o.figures),
    default_wins: judge(comparison.outcomes),
    ...(perturbed ? { perturb: perturbed } : {}),
  }
}
