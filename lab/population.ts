// A population of failed payments: what the lab simulates. The file gives shares and rates; each
// failure is drawn from its own seed, with a fixed set of uniform draws mapped through the
// parameters, so a perturbed population changes each failure only as far as its parameters do.
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { hashString, mix, Rng, unit } from './random.js'
import { DECLINE_CODES, MAC_CODES, networkCodeOf, type Brand, type DeclineCode } from './world-codes.js'

const probability = z.number().min(0).max(1)
const positive = z.number().positive()
const ADVICE = ['try_again_later', 'do_not_try_again', 'confirm_card_data'] as const
export type AdviceCode = (typeof ADVICE)[number]
const declineCode = z.enum(Object.keys(DECLINE_CODES) as [DeclineCode, ...DeclineCode[]], {
  error: `must be a decline code the lab's issuers know: ${Object.keys(DECLINE_CODES).join(', ')}`,
})

/** How a soft decline clears up at the issuer (see world.ts). */
const clearing = z.strictObject({
  clears_median_days: positive,
  clears_spread: z.number().min(0),
  never_clears: probability,
  success_after_clear: probability,
  decay_days: positive,
  before_clear: probability,
})

export const populationSchema = z.strictObject({
  name: z.string().max(100).optional(),
  size: z.number().int().min(1).max(1_000_000),
  seed: z.number().int(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
  /** When the first failure may happen (the calendar matters for paydays). */
  start: z.iso.datetime(),
  /** Failures are spread evenly over this many days from `start` (renewal dates over a month). */
  arrival_days: positive,
  /** Log-normal amount in major units: median, and spread (standard deviation of its logarithm). */
  amount: z.strictObject({ median: positive, spread: z.number().min(0) }),
  card_brands: z.partialRecord(z.enum(['visa', 'mastercard', 'amex', 'discover']), z.number().min(0)),
  /** Decline code → share of first failures. */
  decline_mix: z.partialRecord(declineCode, z.number().min(0)),
  /** Decline code → Stripe advice code → share of those failures that carry it. */
  advice_codes: z.partialRecord(declineCode, z.partialRecord(z.enum(ADVICE), probability)),
  /** Decline code → Mastercard Merchant Advice Code → share of Mastercard failures that carry it. */
  mastercard_advice: z.partialRecord(declineCode, z.partialRecord(z.enum(MAC_CODES), probability)),
  /** Days of the month semimonthly earners are paid (the last one also for monthly earners); 31 = the month's last day. */
  paydays: z.array(z.number().int().min(1).max(31)).min(1).max(4),
  /** Share of customers by how often they are paid (weekly and biweekly on Fridays). */
  pay_frequency: z.strictObject({ weekly: z.number().min(0), biweekly: z.number().min(0), semimonthly: z.number().min(0), monthly: z.number().min(0) }),
  /** Chance that a customer who opens a recovery email gives a new card. */
  card_update_rate: probability,
  /** Chance that the first recovery email is opened. */
  email_open_rate: probability,
  /** Each later email is opened this much less often than the one before (factor). */
  email_open_decay: probability,
  customer: z.strictObject({ open_delay_hours: positive, update_delay_hours: positive, new_card_success: probability }),
  issuer: z.strictObject({
    insufficient_funds: z.strictObject({ funded_per_payday: probability, funds_window_days: positive, base: probability }),
    soft: clearing,
    transient: clearing,
  }),
  networks: z.strictObject({
    visa: z.strictObject({ reattempt_limit: z.number().int().min(1), window_days: positive, excessive_fee: z.number().min(0), never_approve_fee: z.number().min(0) }),
    mastercard: z.strictObject({
      attempt_limit: z.number().int().min(1),
      window_days: positive,
      excessive_fee: z.number().min(0),
      do_not_retry_fee: z.number().min(0),
      retry_after_decline_fee: z.number().min(0),
    }),
  }),
})
export type Population = z.output<typeof populationSchema>

export type PayCycle = 'weekly' | 'biweekly' | 'semimonthly' | 'monthly'

/** One failed payment and the facts the world keeps hidden from the policies. */
export interface Failure {
  readonly index: number
  readonly customerId: string
  readonly failAt: number
  /** Minor units. */
  readonly amount: number
  readonly brand: Brand
  readonly code: DeclineCode
  readonly advice?: AdviceCode
  /** Mastercard Merchant Advice Code. */
  readonly mac?: string
  /** The network's response code (Visa and Mastercard only). */
  readonly networkCode?: string
  readonly payCycle: PayCycle
  /** Biweekly earners: which of two Fridays. */
  readonly payPhase: number
  /** Soft and transient declines: when the issuer's reason clears (ms), or null when it never does. */
  readonly clearsAt: number | null
  /** Whether a new card the customer gives works. */
  readonly newCardWorks: boolean
}

const DAY = 86_400_000

/** Reads and validates a population file; throws an Error naming each bad field. */
export function loadPopulation(path: string): Population {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new Error(`cannot read population ${path}: ${(err as Error).message}`)
  }
  return parsePopulation(raw, path)
}

/** Validates a population object. */
export function parsePopulation(raw: unknown, where = 'population'): Population {
  const parsed = populationSchema.safeParse(raw)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`)
    throw new Error(`${where} is not valid:\n${lines.join('\n')}`)
  }
  return parsed.data
}

/** Draws the population's failures (deterministic for its seed). */
export function drawFailures(p: Population): Failure[] {
  const start = Date.parse(p.start)
  const soft = (code: DeclineCode) => DECLINE_CODES[code].kind === 'soft' || DECLINE_CODES[code].kind === 'transient'
  const out: Failure[] = []
  for (let i = 0; i < p.size; i++) {
    // A fixed number of draws per failure, whatever the parameters say.
    const r = new Rng(mix(p.seed, i, 0x5eed))
    const u = Array.from({ length: 14 }, () => r.next())
    const brand = pickShare(p.card_brands, u[3]!) as Brand
    const code = pickShare(p.decline_mix, u[4]!) as DeclineCode
    const advice = pickMaybe(p.advice_codes[code], u[5]!) as AdviceCode | undefined
    const mac = brand === 'mastercard' ? pickMaybe(p.mastercard_advice[code], u[6]!) : undefined
    const cycle = pickShare(p.pay_frequency, u[7]!) as PayCycle
    const kind = DECLINE_CODES[code].kind
    const clearing = kind === 'transient' ? p.issuer.transient : p.issuer.soft
    const failAt = start + Math.floor(u[0]! * p.arrival_days * DAY)
    const clearsAt = !soft(code) || u[11]! < clearing.never_clears ? null : failAt + clearing.clears_median_days * DAY * Math.exp(clearing.clears_spread * gauss(u[9]!, u[10]!))
    out.push({
      index: i,
      customerId: `cus_lab_${i}`,
      failAt,
      amount: Math.max(1, Math.round(p.amount.median * Math.exp(p.amount.spread * gauss(u[1]!, u[2]!)) * 100)),
      brand,
      code,
      ...(advice ? { advice } : {}),
      ...(mac ? { mac } : {}),
      ...(networkCodeOf(code, brand) ? { networkCode: networkCodeOf(code, brand)! } : {}),
      payCycle: cycle,
      payPhase: u[8]! < 0.5 ? 0 : 1,
      clearsAt,
      newCardWorks: u[12]! < p.customer.new_card_success,
    })
  }
  return out
}

/**
 * A variation of the population: every rate, share, delay and amount moved by up to ±`range`
 * (uniformly, keyed by the variation and the parameter's path), probabilities kept in [0, 1],
 * paydays kept whole days of the month. Size, seed, calendar and the networks' published rules
 * and fees stay as they are.
 */
export function perturb(p: Population, variation: number, range = 0.3): Population {
  const KEEP = new Set(['size', 'seed', 'start', 'currency', 'name', 'networks'])
  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === 'number') return value * (1 + range * (2 * unit(p.seed, variation, hashString(path)) - 1))
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`))
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, KEEP.has(k) && !path ? v : walk(v, path ? `${path}.${k}` : k)]))
    }
    return value
  }
  const moved = walk(p, '') as Population
  const clamp01 = (x: number) => Math.min(1, Math.max(0, x))
  const normalizeShares = (shares: Record<string, number>) => {
    const total = Object.values(shares).reduce((s, x) => s + x, 0)
    return total > 1 ? Object.fromEntries(Object.entries(shares).map(([k, v]) => [k, v / total])) : shares
  }
  const mapShares = <T extends Record<string, Record<string, number>>>(m: T) =>
    Object.fromEntries(Object.entries(m).map(([k, v]) => [k, normalizeShares(v)])) as T
  const clearing = (c: Population['issuer']['soft']) => ({
    ...c, never_clears: clamp01(c.never_clears), success_after_clear: clamp01(c.success_after_clear), before_clear: clamp01(c.before_clear),
  })
  return parsePopulation({
    ...moved,
    name: `${p.name ?? 'population'} variation ${variation + 1}`,
    paydays: [...new Set(moved.paydays.map((d) => Math.min(31, Math.max(1, Math.round(d)))))],
    advice_codes: mapShares(moved.advice_codes),
    mastercard_advice: mapShares(moved.mastercard_advice),
    card_update_rate: clamp01(moved.card_update_rate),
    email_open_rate: clamp01(moved.email_open_rate),
    email_open_decay: clamp01(moved.email_open_decay),
    customer: { ...moved.customer, new_card_success: clamp01(moved.customer.new_card_success) },
    issuer: {
      insufficient_funds: {
        ...moved.issuer.insufficient_funds,
        funded_per_payday: clamp01(moved.issuer.insufficient_funds.funded_per_payday),
        base: clamp01(moved.issuer.insufficient_funds.base),
      },
      soft: clearing(moved.issuer.soft),
      transient: clearing(moved.issuer.transient),
    },
  }, `variation ${variation + 1}`)
}

/** Payday instants (ms) of a customer in (from, to]: funds land at 06:00 UTC that day. */
export function paydaysBetween(p: Population, f: Failure, from: number, to: number): number[] {
  const out: number[] = []
  const firstDay = Math.floor(from / DAY)
  for (let day = firstDay; day * DAY <= to; day++) {
    const at = day * DAY + 6 * 3_600_000
    if (at <= from || at > to) continue
    if (isPayday(p, f, day)) out.push(at)
  }
  return out
}

function isPayday(p: Population, f: Failure, day: number): boolean {
  const d = new Date(day * DAY)
  const friday = d.getUTCDay() === 5
  switch (f.payCycle) {
    case 'weekly':
      return friday
    case 'biweekly':
      return friday && Math.floor(day / 7) % 2 === f.payPhase
    case 'semimonthly':
    case 'monthly': {
      const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()
      const days = f.payCycle === 'monthly' ? [p.paydays[p.paydays.length - 1]!] : p.paydays
      return days.some((pd) => Math.min(pd, last) === d.getUTCDate())
    }
  }
}

function gauss(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2)
}

/** The key whose cumulative share (normalized) covers `u`. */
function pickShare(weights: Readonly<Record<string, number>>, u: number): string {
  const entries = Object.entries(weights)
  const total = entries.reduce((s, [, w]) => s + w, 0)
  let r = u * total
  for (const [k, w] of entries) {
    r -= w
    if (r < 0) return k
  }
  return entries[entries.length - 1]![0]
}

/** A key of `shares` (each a probability) covering `u`, or undefined for the remainder. */
function pickMaybe(shares: Readonly<Record<string, number>> | undefined, u: number): string | undefined {
  if (!shares) return undefined
  let r = u
  for (const [k, pr] of Object.entries(shares)) {
    r -= pr
    if (r < 0) return k
  }
  return undefined
}
