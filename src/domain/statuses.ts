// Every status word Recoup stores, once, as const arrays and the types they give. The store's
// columns are typed with these (store/schema.ts), so a word outside its list does not compile.
// Where a list is part of the public API (docs/api.md), it only grows; where the stored word is
// finer than the API's, the API maps it back (see apiStepStatus).

/** A run's state: public (`GET /v1/runs?status=`, `recoup_runs{status}`). */
export const RUN_STATUSES = ['running', 'waiting', 'completed', 'failed', 'canceled', 'exited'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]

/** Runs still under way: they have a job and can be canceled, exited or woken. */
export const ACTIVE_RUN_STATUSES = ['running', 'waiting'] as const satisfies readonly RunStatus[]
export type ActiveRunStatus = (typeof ACTIVE_RUN_STATUSES)[number]

/** How a run ended for the money (public `outcome`); null while it runs. */
export const RUN_OUTCOMES = ['recovered', 'offer_accepted', 'not_recovered', 'canceled'] as const
export type RunOutcome = (typeof RUN_OUTCOMES)[number]

/** The outcome `recovery.ended` webhooks carry (public; `exhausted` is a run's `not_recovered`). */
export const RECOVERY_OUTCOMES = ['recovered', 'offer_accepted', 'exhausted', 'canceled'] as const
export type RecoveryOutcome = (typeof RECOVERY_OUTCOMES)[number]

/**
 * A step result as stored. Each word has one meaning:
 * - `pending`: not run yet (not reached, or reset by a retry of the run);
 * - `deferred`: due, but held by quiet hours or the daily message cap;
 * - `retrying`: an attempt failed and the next one is scheduled;
 * - `queued`: a team alert queued by the run's ending, sent once after it (alert_on_accept);
 * - `waiting`: started and waiting (a `wait`, an open offer, a payment retry in progress);
 * - `completed`, `failed`, `skipped`: done.
 */
export const STEP_STATUSES = ['pending', 'deferred', 'retrying', 'queued', 'waiting', 'completed', 'failed', 'skipped'] as const
export type StepStatus = (typeof STEP_STATUSES)[number]

/** Stored step states of a step that has not started: a run's ending settles them as skipped. */
export const NOT_STARTED_STEP_STATUSES = ['pending', 'deferred', 'retrying'] as const satisfies readonly StepStatus[]

/** A step's state as the API shows it (`GET /v1/runs/:id`), as documented. */
export const API_STEP_STATUSES = ['pending', 'running', 'completed', 'failed', 'skipped'] as const
export type ApiStepStatus = (typeof API_STEP_STATUSES)[number]

/** The documented API word for a stored step state: a waiting step reads `running`, one not run yet `pending`. */
export function apiStepStatus(status: StepStatus): ApiStepStatus {
  switch (status) {
    case 'waiting':
      return 'running'
    case 'pending':
    case 'deferred':
    case 'retrying':
    case 'queued':
      return 'pending'
    default:
      return status
  }
}

/** A workflow's state: public. */
export const WORKFLOW_STATUSES = ['draft', 'active', 'paused'] as const
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number]

/** A message's delivery: public (`outbox`: no channel configured, nothing left the machine; `skipped`: opt-out). */
export const MESSAGE_STATUSES = ['sent', 'outbox', 'failed', 'skipped'] as const
export type MessageStatus = (typeof MESSAGE_STATUSES)[number]

/** An outbound webhook delivery: public (`pending`: due to be tried, now or at `next_attempt_at`). */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number]

/** A payment attempt as recorded: public (`GET /v1/payments?status=`). */
export const PAYMENT_STATUSES = ['failed', 'succeeded'] as const
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number]

/**
 * Whether a failed payment's decline reason is `known`, `pending` (on its way from the processor),
 * being `fetching`ed by the enricher, or `unknown` (given up). Shown as-is by `GET /v1/payments`.
 */
export const REASON_STATUSES = ['known', 'pending', 'fetching', 'unknown'] as const
export type ReasonStatus = (typeof REASON_STATUSES)[number]

/** True when `value` is one of `list` (narrows a string read from outside to the list's type). */
export function isOneOf<const T extends string>(list: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (list as readonly string[]).includes(value)
}
