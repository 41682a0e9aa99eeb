// What a policy achieved, from its world's ledger: the figures the lab prints and compares.
import type { Rule, World } from './world.js'
import { DECLINE_CODES, type IssuerKind } from './world-codes.js'

const DAY = 86_400_000

/** The per-policy figures of `--json` (money in minor units of the population's currency). */
export interface PolicyFigures {
  readonly name: string
  /** Share of failed payments recovered, by count and by amount. */
  readonly recovery_rate: { readonly count: number; readonly amount: number }
  readonly recovered_amount: number
  /** Every payment attempt the policy made (scheduled retries and new-card attempts). */
  readonly retries: number
  readonly rule_violations: number
  /** Network fees the policy's attempts incurred. */
  readonly fees: number
  /** Median time from failure to recovery, over recovered payments (null when none was). */
  readonly median_days_to_recover: number | null
}

/** The figures plus what the table, the plot and the diagnosis need. */
export interface PolicyOutcome {
  readonly figures: PolicyFigures
  readonly failures: number
  readonly recovered: number
  readonly failedAmount: number
  /** Recoveries by where the money came from: a retry on the card on file, or a new card. */
  readonly bySource: { readonly retry: number; readonly new_card: number }
  /** Attempts with a card the customer just gave. */
  readonly newCardAttempts: number
  readonly violationsByRule: Partial<Record<Rule, number>>
  /** Cumulative recovered amount (minor units) by day d = 0..days after the failure. */
  readonly curve: readonly number[]
  /** Failures and recoveries by how the issuer treats the first decline (for the diagnosis). */
  readonly byKind: Readonly<Record<IssuerKind, { readonly failures: number; readonly recovered: number; readonly retries: number }>>
}

/** Summarizes a world's ledger over each failure's window of `days` days. */
export function summarize(name: string, world: World, days: number): PolicyOutcome {
  const inWindow = (index: number, at: number) => at <= world.failures[index]!.failAt + days * DAY
  const recoveries = [...world.recoveries.values()].filter((r) => inWindow(r.index, r.at))
  const attempts = world.attempts.filter((a) => inWindow(a.index, a.at))
  const violations = world.violations.filter((v) => inWindow(v.index, v.at))
  const failedAmount = world.failures.reduce((s, f) => s + f.amount, 0)
  const recoveredAmount = recoveries.reduce((s, r) => s + r.amount, 0)
  const delays = recoveries.map((r) => (r.at - world.failures[r.index]!.failAt) / DAY).sort((a, b) => a - b)
  const curve = Array.from({ length: days + 1 }, (_, d) => recoveries.filter((r) => r.at - world.failures[r.index]!.failAt <= d * DAY).reduce((s, r) => s + r.amount, 0))
  const byKind = Object.fromEntries((['funds', 'soft', 'transient', 'hard', 'data'] as const).map((k) => [k, { failures: 0, recovered: 0, retries: 0 }])) as Record<IssuerKind, { failures: number; recovered: number; retries: number }>
  const kindOf = (index: number) => DECLINE_CODES[world.failures[index]!.code].kind
  for (const f of world.failures) byKind[kindOf(f.index)].failures++
  for (const r of recoveries) byKind[kindOf(r.index)].recovered++
  for (const a of attempts) byKind[kindOf(a.index)].retries++
  const violationsByRule: Partial<Record<Rule, number>> = {}
  for (const v of violations) violationsByRule[v.rule] = (violationsByRule[v.rule] ?? 0) + 1
  return {
    figures: {
      name,
      recovery_rate: { count: round(recoveries.length / Math.max(1, world.failures.length), 4), amount: round(recoveredAmount / Math.max(1, failedAmount), 4) },
      recovered_amount: recoveredAmount,
      retries: attempts.length,
      rule_violations: violations.length,
      fees: world.charges.filter((c) => inWindow(c.index, c.at)).reduce((s, c) => s + c.fee, 0),
      median_days_to_recover: delays.length === 0 ? null : round(median(delays), 2),
    },
    failures: world.failures.length,
    recovered: recoveries.length,
    failedAmount,
    newCardAttempts: world.attempts.filter((a) => a.source === 'new_card').length,
    bySource: { retry: recoveries.filter((r) => r.source === 'retry').length, new_card: recoveries.filter((r) => r.source === 'new_card').length },
    violationsByRule,
    curve,
    byKind,
  }
}

/** Whether `default` wins against `fixed` and `stripe` (the issue's goal), and why not when it does not. */
export function judge(outcomes: readonly PolicyOutcome[]): { wins: boolean; reasons: string[] } {
  const by = (n: string) => outcomes.find((o) => o.figures.name === n)?.figures
  const d = by('default')
  const fixed = by('fixed')
  const stripe = by('stripe')
  if (!d || !fixed || !stripe) return { wins: false, reasons: ['default, fixed and stripe must all run'] }
  const reasons: string[] = []
  if (!(d.recovered_amount > fixed.recovered_amount)) reasons.push(`recovers ${money(d.recovered_amount)}, not more than fixed (${money(fixed.recovered_amount)})`)
  if (!(d.recovered_amount >= stripe.recovered_amount)) reasons.push(`recovers ${money(d.recovered_amount)}, less than stripe (${money(stripe.recovered_amount)})`)
  if (!(d.retries < stripe.retries)) reasons.push(`spends ${d.retries} retries, not fewer than stripe (${stripe.retries})`)
  if (d.rule_violations !== 0) reasons.push(`breaks network rules ${d.rule_violations} times`)
  return { wins: reasons.length === 0, reasons }
}

/** The comparison as a text table. */
export function table(outcomes: readonly PolicyOutcome[], currency: string, elapsedMs: ReadonlyMap<string, number>): string {
  const header = ['policy', 'recovered', 'rate (count)', 'rate (amount)', 'recovered amount', 'retries', 'violations', 'fees', 'median days', 'from retries', 'time']
  const rows = outcomes.map((o) => {
    const f = o.figures
    return [
      f.name,
      `${o.recovered} of ${o.failures}`,
      percent(f.recovery_rate.count),
      percent(f.recovery_rate.amount),
      `${money(f.recovered_amount)} ${currency}`,
      String(f.retries),
      f.rule_violations === 0 ? '0' : `${f.rule_violations} (${Object.entries(o.violationsByRule).map(([r, n]) => `${r} ${n}`).join(', ')})`,
      `${money(f.fees)} ${currency}`,
      f.median_days_to_recover === null ? '-' : f.median_days_to_recover.toFixed(2),
      o.recovered === 0 ? '-' : percent(o.bySource.retry / o.recovered),
      elapsedMs.has(f.name) ? `${(elapsedMs.get(f.name)! / 1000).toFixed(1)} s` : '',
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/** Recoveries and retries by the issuer's view of the first decline, one row per policy. */
export function kindTable(outcomes: readonly PolicyOutcome[]): string {
  const kinds = ['funds', 'soft', 'transient', 'hard', 'data'] as const
  const first = outcomes[0]
  if (!first) return ''
  const header = ['recovered / retries', ...kinds.map((k) => `${k} (${first.byKind[k].failures})`)]
  const rows = outcomes.map((o) => [o.figures.name, ...kinds.map((k) => `${o.byKind[k].recovered} / ${o.byKind[k].retries}`)])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/** Minor units as major units with two decimals and thousands separators. */
export function money(minor: number): string {
  return (minor / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`
}

function median(sorted: readonly number[]): number {
  const m = sorted.length >> 1
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2
}

function round(x: number, digits: number): number {
  const k = 10 ** digits
  return Math.round(x * k) / k
}
