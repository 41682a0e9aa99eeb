import type { PaymentRetryProvider } from './stripe/payments.js'

/**
 * The built-in provider for businesses without Stripe: Recoup cannot charge a card itself, so a
 * scheduled retry is a request to the billing team (the step files it as a team message). Whoever
 * retries reports success as a `payment.succeeded` event, which ends the run as recovered; no news
 * by the next slot counts as a failed attempt.
 */
export function createManualRetryProvider(): PaymentRetryProvider {
  return {
    kind: 'manual',
    async retry() {
      return { status: 'requested' }
    },
  }
}
