import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { comparePolicies, labDocument } from '../lab/lab.js'
import { builtinPolicies } from '../lab/policies.js'
import { drawFailures, loadPopulation, parsePopulation, perturb, type Failure, type Population } from '../lab/population.js'
import { World } from '../lab/world.js'

const run = promisify(execFile)
const SHIPPED = join(import.meta.dirname, '..', 'lab', 'populations', 'default.json')
const small = (size: number, seed = 7): Population => parsePopulation({ ...loadPopulation(SHIPPED), size, seed })
const DAY = 86_400_000

/** A world with one hand-made failure (the rest of the population as shipped). */
function oneFailure(f: Partial<Failure>): World {
  const p = small(1)
  const base = drawFailures(p)[0]!
  const failure: Failure = { ...base, advice: undefined, mac: undefined, ...f } as Failure
  return new World(p, [failure])
}

describe('recovery lab', () => {
  it('runs the real engine and store, is deterministic for a seed, and prints the JSON as specified', async () => {
    const population = small(150)
    const first = await comparePolicies(population, builtinPolicies(), 30)
    const second = await comparePolicies(population, builtinPolicies(), 30)
    const doc = labDocument(population, 30, first)
    expect(labDocument(population, 30, second)).toEqual(doc)

    // The default policy ran on Recoup's engine: runs were advanced, and the store agrees with the issuers.
    const profile = first.profiles.get('default')!
    expect(profile.advances).toBeGreaterThan(population.size)
    const def = first.outcomes.find((o) => o.figures.name === 'default')!
    expect(profile.recoveredRuns).toBe(def.bySource.retry + def.bySource.new_card)
    expect(def.recovered).toBeGreaterThan(0)

    const policies = doc.policies as Record<string, unknown>[]
    expect(policies.map((p) => p.name)).toEqual(['default', 'fixed', 'stripe'])
    for (const p of policies) {
      expect(Object.keys(p).sort()).toEqual(['fees', 'median_days_to_recover', 'name', 'recovered_amount', 'recovery_rate', 'retries', 'rule_violations'])
      expect(p.recovery_rate).toEqual({ count: expect.any(Number), amount: expect.any(Number) })
    }
    // Recoup's default breaks no network rule; retrying without rules does (the world can tell).
    expect(policies.find((p) => p.name === 'default')!.rule_violations).toBe(0)
    expect(policies.find((p) => p.name === 'fixed')!.rule_violations).toBeGreaterThan(0)
  })

  it('npm run lab -- --json prints the same document in another process, and writes the plot', async () => {
    const population = small(60, 3)
    const svg = join(mkdtempSync(join(tmpdir(), 'recoup-lab-test-')), 'plot.svg')
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'lab/run.ts', '--size', '60', '--seed', '3', '--json', '--svg', svg], { cwd: join(import.meta.dirname, '..') })
    const inProcess = labDocument(population, 30, await comparePolicies(population, builtinPolicies(), 30))
    expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify(inProcess)))
    const plot = readFileSync(svg, 'utf8')
    expect(plot).toContain('<svg')
    expect(plot.match(/<polyline/g)).toHaveLength(3)
  }, 120_000)

  it('counts a retry after "do not try again" and one before a Mastercard wait is over as violations, with the fees', () => {
    const visa = oneFailure({ brand: 'visa', code: 'stolen_card', networkCode: '43' })
    expect(visa.attempt(0, visa.failures[0]!.failAt + DAY).succeeded).toBe(false)
    expect(visa.violations.map((v) => [v.rule, v.fee])).toEqual([['do_not_try_again', 10]])

    const mc = oneFailure({ brand: 'mastercard', code: 'insufficient_funds', networkCode: '51', mac: '27' })
    mc.attempt(0, mc.failures[0]!.failAt + 2 * DAY)
    expect(mc.violations.map((v) => v.rule)).toEqual(['retry_too_early'])
    // The decline came with a retry-after code again: Mastercard's per-decline fee.
    expect(mc.charges.map((c) => c.why)).toEqual(['mastercard_retry_advice'])
  })

  it('charges Visa from the 21st reattempt in 30 days and Mastercard from the 36th attempt', () => {
    const visa = oneFailure({ brand: 'visa', code: 'expired_card', networkCode: '54' })
    for (let k = 1; k <= 22; k++) visa.attempt(0, visa.failures[0]!.failAt + k * 3_600_000)
    expect(visa.violations.map((v) => v.rule)).toEqual(['visa_excessive_reattempts', 'visa_excessive_reattempts'])
    const mc = oneFailure({ brand: 'mastercard', code: 'expired_card', networkCode: '79' })
    for (let k = 1; k <= 36; k++) mc.attempt(0, mc.failures[0]!.failAt + k * 3_600_000)
    expect(mc.violations.map((v) => [v.rule, v.fee])).toEqual([['mastercard_excessive_attempts', 50]])
  })

  it('lets insufficient funds clear after a funded payday, never a hard decline, and a new card work', () => {
    const paid = oneFailure({ code: 'insufficient_funds', brand: 'amex', payCycle: 'weekly', networkCode: undefined })
    const f = paid.failures[0]!
    const fridays = Array.from({ length: 28 }, (_, d) => f.failAt + d * DAY).filter((t) => new Date(t).getUTCDay() === 5)
    // Some Friday afternoon within four weeks finds the money (each payday is funded half the time).
    expect(fridays.some((t) => paid.attempt(0, Math.floor(t / DAY) * DAY + 14 * 3_600_000).succeeded)).toBe(true)

    const stolen = oneFailure({ code: 'stolen_card', brand: 'amex', networkCode: undefined, newCardWorks: true })
    for (let d = 1; d <= 20; d++) expect(stolen.attempt(0, stolen.failures[0]!.failAt + d * DAY).succeeded).toBe(false)
    expect(stolen.attempt(0, stolen.failures[0]!.failAt + 21 * DAY, { newCard: true }).succeeded).toBe(true)
  })

  it('perturbs each parameter within ±30% and keeps shares and probabilities valid', () => {
    const p = loadPopulation(SHIPPED)
    const v = perturb(p, 4)
    expect(v.size).toBe(p.size)
    expect(v.networks).toEqual(p.networks)
    expect(v.email_open_rate).not.toBe(p.email_open_rate)
    expect(Math.abs(v.email_open_rate / p.email_open_rate - 1)).toBeLessThanOrEqual(0.3)
    expect(Math.abs(v.amount.median / p.amount.median - 1)).toBeLessThanOrEqual(0.3)
    for (const shares of Object.values(v.mastercard_advice)) expect(Object.values(shares!).reduce((s, x) => s + x, 0)).toBeLessThanOrEqual(1 + 1e-9)
    expect(perturb(p, 4)).toEqual(v)
  })
})
