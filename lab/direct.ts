// Competitor policies, simulated without Recoup's engine. Recoup's engine applies Recoup's retry
// rules to every workflow schedule (that is the point of them), so a policy that must ignore those
// rules, such as `fixed`, cannot be a workflow: its attempts are made here, straight against the
// same simulated world. Both run every failure on its own timeline, to the minute.
import type { Failure } from './population.js'
import type { World } from './world.js'

const DAY = 86_400_000

export interface DirectPolicy {
  readonly name: string
  /** When to retry, in ms after the failure. */
  readonly retryAt: readonly number[]
  /** Whether the processor skips retrying this failure on the card on file. */
  readonly skip: (f: Failure) => boolean
  /** When the processor emails the customer a link to pay with another card, in ms after the failure. */
  readonly emailAt: readonly number[]
}

type Step = { readonly at: number; readonly kind: 'retry' | 'email' | 'new_card' }

/**
 * Runs a direct policy over every failure for `days` after it. A new card is charged at once
 * (the processor's hosted page pays the open invoice), whenever in the window it comes.
 */
export function runDirect(policy: DirectPolicy, world: World, days: number): void {
  for (const f of world.failures) {
    const end = f.failAt + days * DAY
    const steps: Step[] = [
      ...policy.emailAt.map((ms): Step => ({ at: f.failAt + ms, kind: 'email' })),
      ...(policy.skip(f) ? [] : policy.retryAt.map((ms): Step => ({ at: f.failAt + ms, kind: 'retry' }))),
    ]
    let newCardGiven = false
    while (steps.length > 0 && !world.isRecovered(f.index)) {
      steps.sort((a, b) => a.at - b.at || a.kind.localeCompare(b.kind))
      const step = steps.shift()!
      if (step.at > end) break
      if (step.kind === 'email') {
        const updateAt = world.emailReceived(f.index, step.at)
        if (updateAt !== undefined && !newCardGiven) {
          newCardGiven = true
          steps.push({ at: updateAt, kind: 'new_card' })
        }
      } else {
        world.attempt(f.index, step.at, { newCard: step.kind === 'new_card' })
      }
    }
  }
}

/** Retries at 1, 3, 5 and 7 days, whatever the decline; one email at the failure. */
export const FIXED: DirectPolicy = {
  name: 'fixed',
  retryAt: [1, 3, 5, 7].map((d) => d * DAY),
  skip: () => false,
  emailAt: [0],
}

/**
 * Stripe's recommended default: 8 tries within 2 weeks (spread evenly here), none after a hard
 * decline or the issuer's "do not try again"; one failed-payment email at the failure.
 */
export function stripePolicy(isHard: (f: Failure) => boolean): DirectPolicy {
  return {
    name: 'stripe',
    retryAt: Array.from({ length: 8 }, (_, k) => ((k + 1) * 14 * DAY) / 8),
    skip: (f) => isHard(f) || f.advice === 'do_not_try_again',
    emailAt: [0],
  }
}
