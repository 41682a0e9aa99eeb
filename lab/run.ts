// npm run lab -- [--population FILE] [--workflow FILE ...] [--json] [--perturb N] [--seed S]
//                [--size N] [--days 30] [--svg out.svg]
// Compares recovery policies on a simulated population of failed payments with Recoup's real
// engine and store (see lab/SOURCES.md for the world and where its numbers come from).
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { comparePolicies, labDocument, type PerturbResult } from './lab.js'
import { builtinPolicies, workflowFilePolicy } from './policies.js'
import { loadPopulation, parsePopulation, perturb } from './population.js'
import { recoveryPlot } from './plot.js'
import { judge, kindTable, money, table } from './report.js'

const HERE = dirname(fileURLToPath(import.meta.url))

const USAGE = `usage: npm run lab -- [--population FILE] [--workflow FILE ...] [--json] [--perturb N]
                      [--seed S] [--size N] [--days 30] [--svg out.svg]`

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      population: { type: 'string' },
      workflow: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      perturb: { type: 'string' },
      seed: { type: 'string' },
      size: { type: 'string' },
      days: { type: 'string' },
      svg: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  const int = (name: string, raw: string | undefined, min: number): number | undefined => {
    if (raw === undefined) return undefined
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number of at least ${min}`)
    return n
  }
  const base = loadPopulation(values.population ?? join(HERE, 'populations', 'default.json'))
  const population = parsePopulation({ ...base, seed: int('seed', values.seed, -2_147_483_648) ?? base.seed, size: int('size', values.size, 1) ?? base.size }, 'population')
  const days = int('days', values.days, 1) ?? 30
  const variations = int('perturb', values.perturb, 1) ?? 0
  const policies = [...builtinPolicies(), ...(values.workflow ?? []).map(workflowFilePolicy)]
  const log = (line: string) => process.stderr.write(`${line}\n`)

  const t0 = performance.now()
  const comparison = await comparePolicies(population, policies, days, log)
  const svgPath = resolve(values.svg ?? join('lab-output', 'recovery.svg'))
  mkdirSync(dirname(svgPath), { recursive: true })
  writeFileSync(svgPath, recoveryPlot(comparison.outcomes, { currency: population.currency, title: `Recovered over ${days} days: ${population.size} failed payments (${population.name ?? 'population'}, seed ${population.seed})` }))

  if (!values.json) {
    const failed = comparison.outcomes[0]?.failedAmount ?? 0
    process.stdout.write(`${population.size} failed payments (${money(failed)} ${population.currency}), ${population.name ?? 'population'}, seed ${population.seed}, followed for ${days} days\n\n`)
    process.stdout.write(`${table(comparison.outcomes, population.currency, comparison.elapsed)}\n\n`)
    process.stdout.write(`${kindTable(comparison.outcomes)}\n\n`)
    const verdict = judge(comparison.outcomes)
    process.stdout.write(verdict.wins ? 'default wins: more money than fixed, at least as much as stripe with fewer retries, no rule broken\n' : `default does not win: ${verdict.reasons.join('; ')}\n`)
    for (const [name, p] of comparison.profiles) {
      const newCardAttempts = comparison.outcomes.find((o) => o.figures.name === name)?.newCardAttempts ?? 0
      process.stdout.write(`${name} on the engine: ${p.advances} advances in ${p.ticks} ticks; setup ${s(p.setup)}, ingest ${s(p.ingest)}, advance ${s(p.advance)}, due-job scans ${s(p.dueScan)}, email scans ${s(p.emailScan)}${p.advanceErrors ? `, ${p.advanceErrors} advance errors` : ''}\n`)
      process.stdout.write(`${name}: customers gave ${p.cardUpdates} new cards; ${p.cardUpdates - newCardAttempts} came after the run had ended and were never charged\n`)
    }
    process.stdout.write(`plot: ${svgPath}\n`)
  }

  let perturbed: PerturbResult | undefined
  if (variations > 0) {
    const runs: PerturbResult['runs'][number][] = []
    for (let v = 0; v < variations; v++) {
      const tv = performance.now()
      const varied = perturb(population, v)
      const c = await comparePolicies(varied, builtinPolicies(), days, log)
      const verdict = judge(c.outcomes)
      runs.push({ variation: v + 1, wins: verdict.wins, reasons: verdict.reasons, policies: c.outcomes.map((o) => o.figures) })
      const line = c.outcomes.map((o) => `${o.figures.name} ${money(o.figures.recovered_amount)} / ${o.figures.retries} retries / ${o.figures.rule_violations} violations`).join('; ')
      const report = `variation ${v + 1}/${variations}: ${verdict.wins ? 'default wins' : `default loses (${verdict.reasons.join('; ')})`} [${line}] (${s(performance.now() - tv)})`
      if (values.json) log(report)
      else process.stdout.write(`${report}\n`)
    }
    const wins = runs.filter((r) => r.wins).length
    perturbed = { variations, default_wins: wins, win_rate: Math.round((wins / variations) * 1000) / 1000, runs }
    if (!values.json) process.stdout.write(`default wins ${wins} of ${variations} perturbed populations (±30% on each parameter)\n`)
  }

  const elapsed = `elapsed: ${s(performance.now() - t0)} (${[...comparison.elapsed].map(([n, ms]) => `${n} ${s(ms)}`).join(', ')})`
  if (values.json) {
    process.stdout.write(`${JSON.stringify(labDocument(population, days, comparison, perturbed), null, 2)}\n`)
    log(elapsed)
  } else {
    process.stdout.write(`${elapsed}\n`)
  }
}

function s(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`)
  process.exit(1)
})
