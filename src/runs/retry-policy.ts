/** How a failing step is retried before it fails for good. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number
  /** Delay before the second attempt; each later one doubles, up to maxDelayMs. */
  readonly baseDelayMs: number
  readonly maxDelayMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 10_000, maxDelayMs: 3_600_000 }

/**
 * Delay before attempt `attempt + 1`: exponential with "equal jitter" (half fixed, half random), so
 * a burst of failures against one provider does not come back as one burst.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(exp / 2 + random() * (exp / 2))
}
