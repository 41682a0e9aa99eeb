import type { Kysely } from 'kysely'
import type { z } from 'zod'
import type { Channels } from '../channels/channel.js'
import type { PaymentRetryProvider } from '../providers/stripe/payments.js'
import type { RetryBudget } from '../domain/retry-rules.js'
import type { Database } from '../store/schema.js'

/** The status of a step result while its step waits (a `waiting` result): see domain/statuses.ts. */
export const WAITING_STEP_STATUS = 'waiting' as const

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
      /** For an action with `arms`: the arm the run goes into (the other arm's steps are skipped). */
      readonly arm?: string
      readonly apply?: Apply
      /** Events to record in the step's transaction (e.g. payment.succeeded after a retry). */
      readonly events?: readonly Record<string, unknown>[]
      /** How `apply` changes the customer later steps render (so the engine need not read it back). */
      readonly customer?: (customer: Record<string, unknown>) => Record<string, unknown>
    }
  | { readonly status: 'waiting'; readonly until: number; readonly reason: string; readonly output?: Record<string, unknown>; readonly apply?: Apply }
  | { readonly status: 'failed'; readonly error: string; readonly output?: Record<string, unknown>; readonly apply?: Apply }
  | { readonly status: 'skipped'; readonly reason: string; readonly output?: Record<string, unknown>; readonly apply?: Apply }

/**
 * What the engine, the save-time checks and the dashboard need to know about a step type. The
 * engine decides from these, never from a step's type name.
 */
export interface ActionTraits {
  /** May reach a channel or payment provider (a message, a call, a charge): its effects are outside our database. */
  readonly outside: boolean
  /** A message to the customer: held by quiet hours and the daily message cap, linked to offers. */
  readonly customerMessage: boolean
  /** For a customer message: the customer's address it goes to when the step gives no `to`. */
  readonly address?: 'email' | 'phone'
  /** Reads our records beyond the template data: earlier steps' writes are committed before it runs. */
  readonly readsRecords: boolean
  /** Whether a failure (after its retries) lets the run go on when the step sets no `on_error`. */
  readonly continuesOnError: boolean
  /** The step calls the URL in its `url` param (checked on save); `secret` names the param that signs the call (masked in answers). */
  readonly callsUrl?: { readonly secret?: string }
  /** Params holding nested steps (a branch's `then` and `else`): the run enters one of them. */
  readonly arms?: readonly string[]
}

/** A portal view of a step's state (the offer page reads offer steps through this). */
export interface PortalView<T = unknown> {
  /** The link purpose that shows it (`links.offer`). */
  readonly link: string
  /** The state the customer should see, from the step's stored output; undefined when it has none to show. */
  read(output: Record<string, unknown>): T | undefined
}

/** One step type: its params schema, its traits, which params are templates, and its handler. */
export interface ActionDefinition<S extends z.ZodType = z.ZodType> {
  readonly type: string
  /** Words for people (the dashboard's step menu). */
  readonly title: string
  readonly params: S
  readonly traits: ActionTraits
  /** Names of params that hold Liquid templates (checked for unknown variables at save time); objects' strings are templates too. */
  readonly templates?: readonly string[]
  /** Of `templates`, those that make a JSON body: given as one string, it must render to JSON. */
  readonly jsonTemplates?: readonly string[]
  /** Params holding conditions on the run's data (their fields are checked against the trigger's variables). */
  readonly conditions?: readonly string[]
  /** How the customer portal reads this step's state, for steps the customer answers there. */
  readonly portal?: PortalView
  /** Save-time rules that need the workflow around the step (e.g. which trigger starts it); a problem or undefined. */
  check?(params: z.output<S>, context: { readonly trigger: string }): { readonly path: string; readonly message: string } | undefined
  /** What the step would do, rendered, with no side effects (for POST /workflows/:id/test); an action with arms names the arm it takes as `took`. */
  preview?(input: ActionInput<z.output<S>>): Record<string, unknown>
  run(input: ActionInput<z.output<S>>): Promise<ActionResult>
}

/** Declares an action with its types inferred from the params schema. */
export function defineAction<S extends z.ZodType>(def: ActionDefinition<S>): ActionDefinition<S> {
  return def
}
