// The simulated world a policy acts in: issuers that answer payment attempts, card networks that
// count rule violations and charge their fees, and customers who open emails and give new cards.
// One World per policy run; every answer is keyed by the failure and the time (see random.ts), so
// all policies face the same issuers and customers.
import type { DeclineDetails } from '../src/providers/stripe/payments.js'
import { paydaysBetween, type Failure, type Population } from './population.js'
import { hashString, unit } from './random.js'
import { DECLINE_CODES, MAC_WAIT_MS, visaCategory, type Brand } from './world-codes.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** Why an attempt broke a network rule. */
export type Rule = 'do_not_try_again' | 'retry_too_early' | 'visa_excessive_reattempts' | 'mastercard_excessive_attempts'

export interface Violation {
  readonly index: number
  readonly at: number
  readonly rule: Rule
  /** Minor units. */
  readonly fee: number
}

/** Where an attempt came from: the policy's schedule, or a card the customer just gave. */
export type AttemptSource = 'retry' | 'new_card'

export interface AttemptRecord {
  readonly index: number
  readonly at: number
  readonly source: AttemptSource
  readonly succeeded: boolean
}

export interface Recovery {
  readonly index: number
  readonly at: number
  readonly amount: number
  readonly source: AttemptSource
}

/** What an issuer said last about one card, as the networks see it. */
interface Decline {
  readonly code: string
  readonly brand: Brand
  readonly networkCode?: string
  readonly advice?: string
  readonly mac?: string
}

interface CardState {
  readonly id: string
  readonly isNew: boolean
  last: Decline
  lastAt: number
  /** Attempts by this policy on this card (ms). */
  readonly attempts: number[]
  /** Declines on this card, the first failure included (ms). */
  readonly declines: number[]
}

const SALT = { funded: hashString('funded'), base: hashString('funds-base'), soft: hashString('soft'), open: hashString('open'), openDelay: hashString('open-delay'), update: hashString('update'), updateDelay: hashString('update-delay') }

/** One policy's world: answers attempts, keeps the ledger of attempts, recoveries, violations and fees. */
export class World {
  readonly population: Population
  readonly failures: readonly Failure[]
  readonly attempts: AttemptRecord[] = []
  readonly recoveries = new Map<number, Recovery>()
  readonly violations: Violation[] = []
  /** Every network fee the policy's attempts incurred (minor units), with when and why. */
  readonly charges: { readonly index: number; readonly at: number; readonly fee: number; readonly why: string }[] = []
  readonly #cards = new Map<number, CardState>()
  readonly #emailsSeen = new Map<number, number>()

  constructor(population: Population, failures: readonly Failure[]) {
    this.population = population
    this.failures = failures
  }

  /** The card a failure's payment is charged to now (the original until the customer gives another). */
  #card(index: number): CardState {
    let c = this.#cards.get(index)
    if (!c) {
      const f = this.failures[index]!
      c = { id: `pm_lab_${index}`, isNew: false, last: originalDecline(f), lastAt: f.failAt, attempts: [], declines: [f.failAt] }
      this.#cards.set(index, c)
    }
    return c
  }

  /** Whether the payment was recovered (then nobody charges it again). */
  isRecovered(index: number): boolean {
    return this.recoveries.has(index)
  }

  /** The decline details of the failure as the processor reports them (for the payment.failed event). */
  firstDecline(index: number): DeclineDetails {
    const f = this.failures[index]!
    return details(originalDecline(f), `pm_lab_${index}`)
  }

  /**
   * One payment attempt at `at`: on a new card the customer just gave (`newCard`), else on the card
   * on file. Checks it against the networks' rules (violations, fees) before the issuer answers.
   */
  attempt(index: number, at: number, options: { newCard?: boolean } = {}): { succeeded: boolean; decline?: DeclineDetails } {
    const f = this.failures[index]!
    if (options.newCard && !this.#card(index).isNew) {
      this.#cards.set(index, { id: `pm_lab_${index}_new`, isNew: true, last: { code: 'none', brand: f.brand }, lastAt: at, attempts: [], declines: [] })
    }
    const card = this.#card(index)
    const source: AttemptSource = options.newCard ? 'new_card' : 'retry'
    if (card.declines.length > 0) this.#judge(index, card, at)
    card.attempts.push(at)
    const succeeded = this.recoveries.has(index) ? false : this.#issuerApproves(f, card, at)
    this.attempts.push({ index, at, source, succeeded })
    if (succeeded) {
      this.recoveries.set(index, { index, at, amount: f.amount, source })
      return { succeeded }
    }
    const decline: Decline = card.isNew ? { code: 'generic_decline', brand: f.brand, networkCode: brandCode(f.brand, '05') } : originalDecline(f)
    card.last = decline
    card.lastAt = at
    card.declines.push(at)
    if (decline.brand === 'mastercard' && decline.mac && MAC_WAIT_MS[decline.mac] !== undefined) {
      // Mastercard charges for each insufficient-funds decline that carries a retry-after code.
      this.charges.push({ index, at, fee: cents(this.population.networks.mastercard.retry_after_decline_fee), why: 'mastercard_retry_advice' })
    }
    return { succeeded, decline: details(decline, card.id) }
  }

  /** Counts the rules an attempt on `card` at `at` breaks, given what the issuer said last. */
  #judge(index: number, card: CardState, at: number): void {
    const n = this.population.networks
    const last = card.last
    const neverVisa = last.brand === 'visa' && visaCategory(last.networkCode) === 1
    const neverMastercard = last.brand === 'mastercard' && (last.mac === '03' || last.mac === '21')
    if (last.advice === 'do_not_try_again' || neverVisa || neverMastercard) {
      const fee = neverVisa ? n.visa.never_approve_fee : neverMastercard ? n.mastercard.do_not_retry_fee : 0
      this.#violate(index, at, 'do_not_try_again', fee)
    }
    const wait = last.brand === 'mastercard' && last.mac ? MAC_WAIT_MS[last.mac] : undefined
    if (wait !== undefined && at < card.lastAt + wait) this.#violate(index, at, 'retry_too_early', 0)
    if (last.brand === 'visa' && !neverVisa) {
      const since = at - n.visa.window_days * DAY
      const reattempts = card.attempts.filter((t) => t > since).length + 1
      if (reattempts > n.visa.reattempt_limit) this.#violate(index, at, 'visa_excessive_reattempts', n.visa.excessive_fee)
    }
    if (last.brand === 'mastercard') {
      // Declines so far in the window: the first failure and every declined retry, so this is
      // retry number `declines`; Mastercard charges from the 36th.
      const since = at - n.mastercard.window_days * DAY
      if (card.declines.filter((t) => t > since).length > n.mastercard.attempt_limit) {
        this.#violate(index, at, 'mastercard_excessive_attempts', n.mastercard.excessive_fee)
      }
    }
  }

  #violate(index: number, at: number, rule: Rule, fee: number): void {
    this.violations.push({ index, at, rule, fee: cents(fee) })
    if (fee > 0) this.charges.push({ index, at, fee: cents(fee), why: rule })
  }

  /** The issuer's answer (see SOURCES.md for the model and its assumptions). */
  #issuerApproves(f: Failure, card: CardState, at: number): boolean {
    const p = this.population
    const seed = p.seed
    if (card.isNew) return f.newCardWorks
    // The issuer said no for good, or asks for new card data: the same card never works.
    if (f.advice === 'do_not_try_again' || f.advice === 'confirm_card_data') return false
    if (f.brand === 'mastercard' && (f.mac === '01' || f.mac === '03' || f.mac === '21')) return false
    if (f.brand === 'visa' && [1, 3].includes(visaCategory(f.networkCode))) return false
    const wait = f.brand === 'mastercard' && f.mac ? MAC_WAIT_MS[f.mac] : undefined
    if (wait !== undefined && at < card.lastAt + wait) return false
    const hour = Math.floor(at / HOUR)
    switch (DECLINE_CODES[f.code].kind) {
      case 'hard':
      case 'data':
        return false
      case 'funds': {
        const m = p.issuer.insufficient_funds
        const window = m.funds_window_days * DAY
        // Pay that landed within the funds window before this attempt, and was enough this time.
        for (const payday of paydaysBetween(p, f, Math.max(f.failAt, at - window), at)) {
          if (unit(seed, f.index, SALT.funded, Math.floor(payday / DAY)) < m.funded_per_payday) return true
        }
        return unit(seed, f.index, SALT.base, hour) < m.base
      }
      case 'soft':
      case 'transient': {
        const m = DECLINE_CODES[f.code].kind === 'transient' ? p.issuer.transient : p.issuer.soft
        const cleared = f.clearsAt !== null && at >= f.clearsAt
        const chance = cleared ? m.success_after_clear * Math.exp(-(at - f.failAt) / (m.decay_days * DAY)) : m.before_clear
        return unit(seed, f.index, SALT.soft, hour) < chance
      }
    }
  }

  /**
   * The customer gets a recovery email at `at`. Returns when they give a new card because of it,
   * or undefined (not opened, opened and ignored, or already paid).
   */
  emailReceived(index: number, at: number): number | undefined {
    if (this.recoveries.has(index)) return undefined
    const p = this.population
    const k = this.#emailsSeen.get(index) ?? 0
    this.#emailsSeen.set(index, k + 1)
    if (unit(p.seed, index, SALT.open, k) >= p.email_open_rate * p.email_open_decay ** k) return undefined
    const openAt = at + exponential(unit(p.seed, index, SALT.openDelay, k), p.customer.open_delay_hours * HOUR)
    if (unit(p.seed, index, SALT.update, k) >= p.card_update_rate) return undefined
    return openAt + exponential(unit(p.seed, index, SALT.updateDelay, k), p.customer.update_delay_hours * HOUR)
  }
}

function originalDecline(f: Failure): Decline {
  return {
    code: f.code,
    brand: f.brand,
    ...(f.networkCode ? { networkCode: f.networkCode } : {}),
    ...(f.advice ? { advice: f.advice } : {}),
    ...(f.mac ? { mac: f.mac } : {}),
  }
}

function brandCode(brand: Brand, code: string): string | undefined {
  return brand === 'visa' || brand === 'mastercard' ? code : undefined
}

/** A decline as Stripe reports it. */
function details(d: Decline, paymentMethodId: string): DeclineDetails {
  const known = d.code in DECLINE_CODES ? DECLINE_CODES[d.code as keyof typeof DECLINE_CODES] : undefined
  return {
    failure_code: (known && 'failure' in known ? known.failure : undefined) ?? 'card_declined',
    decline_code: d.code,
    ...(d.advice ? { advice_code: d.advice as DeclineDetails['advice_code'] } : {}),
    ...(d.mac ? { network_advice_code: d.mac } : {}),
    ...(d.networkCode ? { network_decline_code: d.networkCode } : {}),
    card_brand: d.brand,
    payment_method_id: paymentMethodId,
    card_fingerprint: `fp_${paymentMethodId.slice(3)}`,
  }
}

function exponential(u: number, mean: number): number {
  return -Math.log(1 - u) * mean
}

function cents(major: number): number {
  return Math.round(major * 100)
}
