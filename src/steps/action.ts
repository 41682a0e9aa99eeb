import type { Kysely } from 'kysely'
import type { z } from 'zod'
import type { Channels } from '../channels/channel.js'
import type { PaymentRetryProvider } from '../providers/stripe/payments.js'
import type { RetryBudget } from '../domain/retry-rules.js'
import type { Database } from '../store/schema.js'

/** Template data of a run at one step: the event snapshot plus live customer and links. */
export type TemplateData = Readonly<Record<string, unknown>>

/** What a handler gets. Handlers do outside I/O here; database writes go in `apply`. */
export interface ActionInput<P> {
  readonly params: P
  readonly data: TemplateData
  /** Renders a Liquid template against `data` (HTML-escaped when asked). */
  readonly render: (template: string, options?: { escapeHtml?: boolean }) => string
  readonly channels: Channels
  /** Retries payments (Stripe when configured, else the built-in manual provider). */
  readonly payments: PaymentRetryProvider
  /** For reads only; writes belong in `apply`. */
  readonly db: Kysely<Database>
  /** `run_id:step_id`: stable across retries, handed to every provider that accepts one. */
  readonly idempotencyKey: string
  readonly runId: string
  readonly stepId: string
  readonly customerId: string
  /** Output a previous `waiting` result of this same step left behind (undefined on first entry). */
  readonly state: Record<string, unknown> | undefined
  /** Current time in ms (the engine's clock). */
  readonly now: number
  /** Link to the run in the dashboard. */
  readonly runUrl: string
  /** The per-card retry limits (RECOUP_RETRY_BUDGET); absent: the networks' defaults. */
  readonly retryBudget?: RetryBudget
}

/** Runs inside the transaction that records the step, so records and step results agree. */
export type Apply = (trx: Kysely<Database>) => Promise<void>

export type ActionResult =
  | {
      readonly status: 'completed'
      readonly output?: Record<string, unknown>
      readonly apply?: Apply
      /** Events to record in the step's transaction (e.g. payment.succeeded after a retry). */
      readonly events?: readonly Record<string, unknown>[]
      /** How `apply` changes the customer later steps render (so the engine need not read it back). */
      readonly customer?: (customer: Record<string, unknown>) => Record<string, unknown>
    }
  | { readonly status: 'waiting'; readonly until: number; readonly reason: string; readonly output?: Record<string, unknown>; readonly apply?: Apply }
  | { readonly status: 'failed'; readonly error: string; readonly output?: Record<string, unknown>; readonly apply?: Apply }
  | { readonly status: 'skipped'; readonly reason: string; readonly output?: Record<string, unknown>; readonly apply?: Apply }

/** One step type: its params schema, which params are templates, and its handler. */
export interface ActionDefinition<S extends z.ZodType = z.ZodType> {
  readonly type: string
  readonly params: S
  /** Names of params that hold Liquid templates (checked for unknown variables at save time). */
  readonly templates?: readonly string[]
  /** Save-time rules that need the workflow around the step (e.g. which trigger starts it); a problem or undefined. */
  check?(params: z.output<S>, context: { readonly trigger: string }): { readonly path: string; readonly message: string } | undefined
  /** What the step would do, rendered, with no side effects (for POST /workflows/:id/test). */
  preview?(input: ActionInput<z.output<S>>): Record<string, unknown>
  run(input: ActionInput<z.output<S>>): Promise<ActionResult>
}

/** Declares an action with its types inferred from the params schema. */
export function defineAction<S extends z.ZodType>(def: ActionDefinition<S>): ActionDefinition<S> {
  return def
}
