import type { Kysely } from 'kysely'
import { ACTIONS, continuesOnError, traitsOf } from '../steps/registry.js'
import { WAITING_STEP_STATUS, type ActionDefinition, type ActionInput, type ActionResult, type Apply } from '../steps/action.js'
import { customerLinks } from '../steps/customer-links.js'
import { notifyTeam } from '../steps/notify-team.js'
import { ACCEPTED_ALERT_MESSAGE } from '../steps/offer.js'
import type { Channel, Channels } from '../channels/channel.js'
import type { PaymentRetryProvider } from '../providers/stripe/payments.js'
import { DEFAULT_BUSINESS, type Business } from '../domain/business.js'
import { declineData } from '../domain/decline-kind.js'
import { PermanentError, ResourceBusyError } from '../domain/errors.js'
import type { LinkSigner } from '../domain/links.js'
import type { WorkflowDefinition } from '../domain/workflow.js'
import { TransactionBatcher } from '../store/batcher.js'
import { isDatabaseUnavailable, type Store } from '../store/database.js'
import { ACCEPTED_ALERT_SUFFIX, finishRun } from '../store/repos/runs.js'
import { attemptNow } from './attempt-now.js'
import { DEFAULT_RETRY_BUDGET, type RetryBudget } from '../domain/retry-rules.js'
import type { JobQueue } from '../queue/job-queue.js'
import type { Database, RunRow, StepResultRow } from '../store/schema.js'
import { commitRunSteps, type StepWrite } from '../store/sql/commit-steps.js'
import { getWorkflowVersion } from '../store/repos/workflows.js'
import { readRunState } from '../store/repos/run-state.js'
import type { TemplateRenderer } from '../templates/render.js'
import { compileProgram, enterArm, type Program, type ProgramNode } from './program.js'
import { MessageCap, quietHoursEnd } from './guardrails.js'
import type { EventPublisher } from '../outbound/publisher.js'
import { backoffDelay, type RetryPolicy } from './retry-policy.js'

export interface EngineOptions {
  readonly store: Store
  /** Group commit for steps on SQLite (the process's one batcher); PostgreSQL uses lanes of its own. */
  readonly batcher: TransactionBatcher
  /** Where a run's next job is written, in the transaction that records its step. */
  readonly jobs: JobQueue
  readonly channels: Channels
  readonly payments: PaymentRetryProvider
  /** Records an event inside the given transaction (ingest's logic: records, exits, new runs). */
  readonly recordEvent: (trx: Kysely<Database>, event: Record<string, unknown>) => Promise<unknown>
  readonly templates: TemplateRenderer
  readonly links: LinkSigner
  readonly retry: RetryPolicy
  readonly publisher: EventPublisher
  /** Most customer messages per rolling 24 h (0: no cap). */
  readonly dailyMessageCap: number
  readonly now: () => number
  /** Base URL of the dashboard, for links to runs in alerts. */
  readonly publicUrl: string
  /** How long portal links in messages stay valid. */
  readonly linkTtlMs?: number
  /** Who messages come from (template data `business`). */
  readonly business?: Business
  /** The per-card retry limits (RECOUP_RETRY_BUDGET); default: the networks' defaults. */
  readonly retryBudget?: RetryBudget
  /** Observes each executed step (metrics). */
  readonly onStep?: (type: string, ms: number, status: string) => void
}

/**
 * How many times one process tries a run whose advance throws an unexpected error (a bug, data
 * it cannot read) before it fails the run visibly. Database outages do not count.
 */
export const MAX_ADVANCE_ERRORS = 5

interface Loaded {
  readonly def: WorkflowDefinition
  readonly program: Program
  /** Each step's params, parsed once: a version never changes, and they were validated on save. */
  readonly params: Map<string, unknown>
}

/** The outcome of executing one node, before it is recorded. */
interface Outcome {
  readonly step: Partial<StepResultRow> & { status: StepResultRow['status'] }
  readonly skip?: readonly ProgramNode[]
  readonly apply?: Apply
  readonly events?: readonly Record<string, unknown>[]
  /** How the step changed the customer (update_customer). */
  readonly customer?: (customer: Record<string, unknown>) => Record<string, unknown>
  /** Where the run goes: the next node, a wake-up time, or an end state. */
  readonly next:
    | { readonly kind: 'continue'; readonly cursor: number | null }
    | { readonly kind: 'sleep'; readonly until: number; readonly reason: string }
    | { readonly kind: 'fail'; readonly error: string }
}

/**
 * Advances runs one step at a time. Each step's result, its effects on our records, and the run's
 * next job are committed in one transaction, so a crash can only repeat the step in flight.
 */
export class Engine {
  readonly #o: EngineOptions
  readonly #programs = new Map<string, Loaded>()
  readonly #lanes: readonly TransactionBatcher[]
  #lane = 0
  /** Unexpected advance errors per run in this process (see MAX_ADVANCE_ERRORS). */
  readonly #advanceErrors = new Map<string, number>()
  readonly #cap: MessageCap

  constructor(options: EngineOptions) {
    this.#o = options
    this.#cap = new MessageCap({ db: options.store.db, cap: options.dailyMessageCap })
    this.#lanes =
      options.store.commitLanes > 1
        ? Array.from({ length: options.store.commitLanes }, () => new TransactionBatcher({ db: options.store.db, maxBatch: 64 }))
        : [options.batcher]
  }

  get #db(): Kysely<Database> {
    return this.#o.store.db
  }

  /**
   * One step's commit, shared with the steps other runs commit at the same moment (one fsync for
   * all). SQLite has one connection and one batcher. On PostgreSQL one shared transaction at a time
   * would make every step wait for the others' round trips, and a transaction per step pays a WAL
   * flush each: a few lanes, each a group commit, sit between the two.
   */
  #transact<T>(work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    const lane = this.#lanes[this.#lane++ % this.#lanes.length]!
    return lane.run(work)
  }

  /**
   * Runs the run's due steps until it waits, ends, or hits `maxSteps`.
   *
   * Steps that touched nothing outside our database (no channel, no payment provider) and let the
   * run go straight on are not committed alone: they join the next step's transaction. A crash
   * before that commit leaves no trace of them, so running them again repeats nothing anyone saw,
   * and a three-step run of such steps costs one commit instead of three.
   */
  async advance(runId: string, options: { maxSteps?: number; inItsJob?: boolean } = {}): Promise<void> {
    const { maxSteps = 50, inItsJob = false } = options
    // The run, its customer and its step results, read once per pass and kept current in memory.
    const split = await readRunState(this.#db, this.#o.store.dialect, runId)
    if (!split) return
    let run = split.run
    if (run.status !== 'running' && run.status !== 'waiting') {
      // An ended run's only work: team alerts its ending queued (an accepted offer's).
      if (run.outcome === 'offer_accepted') await this.#sendAcceptedAlerts(run, split.customer)
      await this.#o.jobs.cancel(this.#db, runId)
      return
    }
    if (run.attempt_request) {
      // A new card or "retry now": one attempt before (and whatever) the step in hand.
      const done = await attemptNow(run, JSON.parse(run.context) as Record<string, unknown>, {
        db: this.#db,
        payments: this.#o.payments,
        transact: (work) => this.#transact(work),
        recordEvent: this.#o.recordEvent,
        schedule: (trx, id, at) => this.#o.jobs.schedule(trx, id, at),
        now: this.#o.now,
        budget: this.#o.retryBudget ?? DEFAULT_RETRY_BUDGET,
      })
      // Read the run again: the attempt may have paid (and ended it) or changed its payment.
      return done === 'later' ? undefined : this.advance(runId, options)
    }
    const loaded = await this.#load(run.workflow_id, run.workflow_version)
    const prior = new Map(split.steps.map((r) => [r.step_id, r]))
    let customer = split.customer
    // The event snapshot never changes during a run.
    const context = JSON.parse(run.context) as Record<string, unknown>
    // The run as last committed, and the executed steps not committed yet.
    let committed = run
    let pending: Executed[] = []
    const flush = async (): Promise<boolean> => {
      const next = await this.#commit(committed, pending, inItsJob)
      pending = []
      if (!next) return false
      committed = run = next
      return true
    }
    // Whether the step in hand reached a channel or payment provider (then it commits at once).
    const touched = { outside: false }
    const providers = watchProviders(this.#o.channels, this.#o.payments, touched)
    for (let i = 0; i < maxSteps; i++) {
      const node = run.cursor === null ? undefined : loaded.program.nodes[run.cursor]
      // A step that reads our records must see the earlier steps' writes: commit them first.
      if (node && pending.length > 0 && readsPendingWrites(node, pending) && !(await flush())) return
      touched.outside = false
      const outcome: Outcome = node
        ? await this.#execute(run, loaded, node, prior.get(node.step.id), this.templateData(run, loaded.def, context, customer), providers)
        : { step: { status: 'completed' }, next: { kind: 'continue', cursor: null } }
      const updated = nextRunState(run, outcome.next, this.#o.now())
      pending.push({ node, outcome, updated })
      if (node) prior.set(node.step.id, { ...(prior.get(node.step.id) ?? emptyStep(run.id, node)), ...outcome.step })
      if (outcome.customer) customer = outcome.customer(customer)
      run = updated
      const goesOn = updated.status === 'running' && i < maxSteps - 1
      if (goesOn && !touched.outside && !outcome.events?.length) continue
      if (!(await flush())) return
      if (run.status !== 'running') return
    }
    if (pending.length > 0 && !(await flush())) return
    // Too many steps in one go: yield to other runs and come back.
    await this.#o.jobs.schedule(this.#db, run.id, this.#o.now())
  }

  /**
   * Decides what to do after `advance(runId)` threw: `retry` (the scheduler tries again later), or
   * `failed` when the same run failed MAX_ADVANCE_ERRORS times for a reason that is not an outage.
   * A run never loops for ever on an error nobody sees: it fails with the error on it.
   */
  async onAdvanceError(runId: string, err: unknown): Promise<'retry' | 'failed'> {
    if (isDatabaseUnavailable(err) || err instanceof ResourceBusyError) return 'retry'
    const count = (this.#advanceErrors.get(runId) ?? 0) + 1
    if (count < MAX_ADVANCE_ERRORS) {
      if (this.#advanceErrors.size > 10_000) this.#advanceErrors.clear()
      this.#advanceErrors.set(runId, count)
      return 'retry'
    }
    this.#advanceErrors.delete(runId)
    const message = err instanceof Error ? err.message : String(err)
    const reason = `Recoup could not advance this run (${MAX_ADVANCE_ERRORS} tries): ${message.slice(0, 500)}`
    await this.#db.transaction().execute(async (trx) => {
      const run = await trx.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst()
      if (!run || !(await finishRun(trx, this.#o.jobs, runId, 'failed', reason))) return
      await this.#o.publisher.runEnded(trx, run, 'failed', reason)
    })
    return 'failed'
  }

  async #load(workflowId: string, version: number): Promise<Loaded> {
    const key = `${workflowId}@${version}`
    let hit = this.#programs.get(key)
    if (!hit) {
      const def = await getWorkflowVersion(this.#db, workflowId, version)
      hit = { def, program: compileProgram(def.steps), params: new Map() }
      if (this.#programs.size > 10_000) this.#programs.clear()
      this.#programs.set(key, hit)
    }
    return hit
  }

  /** Template data for a run at this moment: the event snapshot plus the live customer and links. */
  templateData(run: RunRow, def: WorkflowDefinition, context: Record<string, unknown>, customer: Record<string, unknown>): Record<string, unknown> {
    const exp = this.#o.now() + (this.#o.linkTtlMs ?? 14 * 86_400_000)
    // Short links, minted on first read (most steps use none); deliver stores them before sending.
    const links = customerLinks({ signer: this.#o.links, runId: run.id, customerId: run.customer_id, expiresAt: exp })
    // What the decline asks of the customer, from the payment as it stands now (its reason may arrive late).
    const decline = declineData(context.payment)
    return {
      ...context,
      ...(decline ? { decline } : {}),
      business: this.#o.business ?? DEFAULT_BUSINESS,
      customer,
      workflow: { id: def.id, name: def.name, version: run.workflow_version },
      run: { id: run.id, created_at: run.created_at },
      links,
    }
  }

  async #execute(
    run: RunRow,
    loaded: Loaded,
    node: ProgramNode,
    prior: StepResultRow | undefined,
    data: Record<string, unknown>,
    providers: Pick<ActionInput<unknown>, 'channels' | 'payments'>,
  ): Promise<Outcome> {
    const step = node.step
    const nowMs = this.#o.now()
    const startedAt = prior?.started_at ?? new Date(nowMs).toISOString()
    const action = ACTIONS.get(step.type) as ActionDefinition
    const held = prior?.status === WAITING_STEP_STATUS || !action.traits.customerMessage ? null : await this.#guardrails(run, loaded.def, data, nowMs)
    if (held) {
      return {
        step: { status: 'deferred', attempts: prior?.attempts ?? 0, output: JSON.stringify({ deferred_until: new Date(held.until).toISOString(), reason: held.reason }) },
        next: { kind: 'sleep', until: held.until, reason: held.reason },
      }
    }
    let params = loaded.params.get(step.id)
    if (params === undefined) {
      const { id: _id, type: _type, on_error: _onError, ...raw } = step
      params = action.params.parse(raw)
      loaded.params.set(step.id, params)
    }
    const waitingState = prior?.status === WAITING_STEP_STATUS && prior.output ? (JSON.parse(prior.output) as Record<string, unknown>) : undefined
    // Re-entering a waiting step is not a new attempt.
    const attempts = waitingState ? prior!.attempts : (prior?.attempts ?? 0) + 1
    const t0 = performance.now()
    let result: ActionResult
    try {
      result = await action.run({
        params,
        data,
        render: (template, opts) => this.#o.templates.render(template, data, opts),
        ...providers,
        db: this.#db,
        idempotencyKey: `${run.id}:${step.id}`,
        runId: run.id,
        stepId: step.id,
        customerId: run.customer_id,
        state: waitingState,
        now: nowMs,
        runUrl: `${this.#o.publicUrl.replace(/\/+$/, '')}/runs/${run.id}`,
        ...(this.#o.retryBudget ? { retryBudget: this.#o.retryBudget } : {}),
      })
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err)
      this.#o.onStep?.(step.type, performance.now() - t0, 'error')
      const base = { attempts, started_at: startedAt, error: message }
      if (err instanceof PermanentError || attempts >= this.#o.retry.maxAttempts) {
        const why = err instanceof PermanentError ? message : `${message} (gave up after ${attempts} attempts)`
        return failedStep(step, node, { ...base, status: 'failed', finished_at: new Date(nowMs).toISOString(), error: why })
      }
      const after = (err as { afterMs?: number }).afterMs
      const until = nowMs + Math.max(after ?? 0, backoffDelay(this.#o.retry, attempts))
      return {
        step: { ...base, status: 'retrying' },
        next: { kind: 'sleep', until, reason: `retry ${attempts + 1} of ${this.#o.retry.maxAttempts} after: ${message}` },
      }
    }
    this.#o.onStep?.(step.type, performance.now() - t0, result.status)
    const finishedAt = new Date(nowMs).toISOString()
    const output = result.output ? JSON.stringify(result.output) : null
    switch (result.status) {
      case 'completed': {
        // A step with arms (a branch) continues into the arm it chose; the others' steps are skipped.
        const entered = result.arm === undefined ? undefined : enterArm(loaded.program, node, result.arm)
        return {
          step: { status: 'completed', attempts, started_at: startedAt, finished_at: finishedAt, output, error: null },
          apply: result.apply,
          events: result.events,
          customer: result.customer,
          ...(entered ? { skip: entered.skip } : {}),
          next: { kind: 'continue', cursor: entered ? entered.cursor : node.next },
        }
      }
      case 'skipped':
        return { step: { status: 'skipped', attempts, started_at: startedAt, finished_at: finishedAt, output: JSON.stringify({ ...result.output, reason: result.reason }), error: null }, apply: result.apply, next: { kind: 'continue', cursor: node.next } }
      case 'waiting':
        return { step: { status: WAITING_STEP_STATUS, attempts, started_at: startedAt, output, error: null }, apply: result.apply, next: { kind: 'sleep', until: result.until, reason: result.reason } }
      case 'failed':
        return { ...failedStep(step, node, { status: 'failed', attempts, started_at: startedAt, finished_at: finishedAt, output, error: result.error }), apply: result.apply }
    }
  }

  /**
   * Sends the team alerts an accepted offer asked for (`alert_on_accept`, queued by finishRun as
   * queued notify_team results), once each: the result and its message are recorded together.
   */
  async #sendAcceptedAlerts(run: RunRow, customer: Record<string, unknown>): Promise<void> {
    const pending = await this.#db
      .selectFrom('step_results').selectAll().where('run_id', '=', run.id).where('type', '=', notifyTeam.type).where('status', '=', 'queued')
      .where('step_id', 'like', `%${ACCEPTED_ALERT_SUFFIX}`).execute()
    if (pending.length === 0) return
    const def = (await this.#load(run.workflow_id, run.workflow_version)).def
    const data = this.templateData(run, def, JSON.parse(run.context) as Record<string, unknown>, customer)
    for (const row of pending) {
      const asked = JSON.parse(row.output ?? '{}') as Record<string, unknown>
      const at = new Date(this.#o.now()).toISOString()
      let result: ActionResult
      try {
        const params = notifyTeam.params.parse({ ...asked, message: asked.message ?? ACCEPTED_ALERT_MESSAGE })
        result = await notifyTeam.run({
          params, data, render: (t, o) => this.#o.templates.render(t, data, o), channels: this.#o.channels, payments: this.#o.payments, db: this.#db,
          idempotencyKey: `${run.id}:${row.step_id}`, runId: run.id, stepId: row.step_id, customerId: run.customer_id, state: undefined,
          now: this.#o.now(), runUrl: `${this.#o.publicUrl.replace(/\/+$/, '')}/runs/${run.id}`,
        })
      } catch (err) {
        result = { status: 'failed', error: err instanceof Error ? err.message : String(err) }
      }
      await this.#transact(async (trx) => {
        await result.apply?.(trx)
        await trx
          .updateTable('step_results')
          .set({ status: result.status === 'failed' ? 'failed' : 'completed', attempts: 1, finished_at: at, output: JSON.stringify({ ...asked, ...('output' in result ? result.output : {}) }), error: result.status === 'failed' ? result.error : null })
          .where('run_id', '=', run.id).where('step_id', '=', row.step_id).execute()
      })
    }
  }

  /** Holds a customer message during quiet hours or past the daily cap: until when, and why. */
  async #guardrails(run: RunRow, def: WorkflowDefinition, data: Record<string, unknown>, now: number): Promise<{ until: number; reason: string } | null> {
    const customer = data.customer as { time_zone?: string | null }
    if (def.quiet_hours) {
      const q = quietHoursEnd(def.quiet_hours, customer.time_zone, now)
      if (q) return { until: q.until, reason: `quiet hours (${def.quiet_hours.start}–${def.quiet_hours.end} ${q.timeZone}): sending at ${def.quiet_hours.end}` }
    }
    const capUntil = await this.#cap.deferral(run.customer_id, now)
    if (capUntil) return { until: capUntil, reason: `daily cap of ${this.#o.dailyMessageCap} messages per customer reached: sending when it frees up` }
    return null
  }

  /**
   * Commits executed steps in one transaction: the run's final state, each step's result and
   * effects, and the run's next job. The run's `seq` guards against a run that was canceled or
   * exited while the steps ran: then nothing is written and null is returned.
   */
  async #commit(base: RunRow, executed: readonly Executed[], inItsJob: boolean): Promise<RunRow | null> {
    const last = executed[executed.length - 1]!
    const n = last.outcome.next
    let updated = last.updated
    const dialect = this.#o.store.dialect
    const ok = await this.#transact(async (trx) => {
      // The work may run again (group commit falls back to one transaction per unit; a deadlock
      // victim is retried): start each try from the state the steps led to.
      updated = last.updated
      // A last step that records an event (a paid retry) must leave the run open until the event
      // is recorded: the event ends it as goal met, which a completed run could no longer be.
      const endsWithEvent = !!last.outcome.events?.length && updated.status === 'completed'
      const u: RunRow = endsWithEvent ? { ...updated, status: 'running', finished_at: null, outcome: null } : updated
      const steps: StepWrite[] = []
      for (const { node, outcome } of executed) {
        if (node) steps.push({ stepId: node.step.id, type: node.step.type, s: outcome.step })
        for (const skipped of outcome.skip ?? []) steps.push({ stepId: skipped.step.id, type: skipped.step.type, s: { status: 'skipped', finished_at: u.updated_at } })
      }
      if (!(await commitRunSteps(trx, dialect, { runId: base.id, baseSeq: base.seq, run: u, steps }))) return false
      for (const { outcome } of executed) if (outcome.apply) await outcome.apply(trx)
      if (last.outcome.events?.length) {
        for (const event of last.outcome.events) await this.#o.recordEvent(trx, event)
        // The event may have met this run's goal (exit_on) and ended it.
        const now2 = await trx.selectFrom('runs').select(['status', 'seq', 'error', 'finished_at', 'outcome']).where('id', '=', base.id).executeTakeFirstOrThrow()
        if (now2.status !== u.status) {
          updated = { ...updated, ...now2 }
          return true
        }
        if (endsWithEvent) {
          await trx.updateTable('runs').set({ status: 'completed', finished_at: updated.finished_at, outcome: updated.outcome }).where('id', '=', base.id).execute()
        }
      }
      if (n.kind === 'sleep') {
        await this.#o.jobs.schedule(trx, base.id, n.until)
      } else if (n.kind === 'fail' || (n.kind === 'continue' && n.cursor === null)) {
        await this.#o.jobs.cancel(trx, base.id, inItsJob)
        await this.#o.publisher.runEnded(trx, updated, n.kind === 'fail' ? 'failed' : 'completed', updated.error)
      }
      return true
    })
    return ok ? updated : null
  }
}

/** An executed step awaiting its commit, and the run state it leads to. */
interface Executed {
  readonly node: ProgramNode | undefined
  readonly outcome: Outcome
  readonly updated: RunRow
}

/**
 * A step that failed after its retries: the run fails, unless the step may fail without stopping
 * the recovery (`on_error: continue`, a team alert by default): then the failure is recorded on
 * the step and the run goes on with the next one.
 */
function failedStep(step: ProgramNode['step'], node: ProgramNode, result: Outcome['step'] & { error?: string | null }): Outcome {
  if (!continuesOnError(step)) return { step: result, next: { kind: 'fail', error: `step "${step.id}" failed: ${result.error}` } }
  const output = { ...(result.output ? (JSON.parse(result.output) as Record<string, unknown>) : {}), run_continued: true }
  return { step: { ...result, output: JSON.stringify(output) }, next: { kind: 'continue', cursor: node.next } }
}

/** The run after an outcome: where it goes next, one `seq` further. */
function nextRunState(run: RunRow, n: Outcome['next'], nowMs: number): RunRow {
  const now = new Date(nowMs).toISOString()
  const patch: Partial<RunRow> =
    n.kind === 'continue'
      ? n.cursor === null
        ? { status: 'completed', outcome: 'not_recovered', cursor: null, finished_at: now, wait_until: null, wait_reason: null, error: null }
        : { status: 'running', cursor: n.cursor, wait_until: null, wait_reason: null }
      : n.kind === 'sleep'
        ? { status: 'waiting', wait_until: new Date(n.until).toISOString(), wait_reason: n.reason }
        : { status: 'failed', outcome: 'not_recovered', finished_at: now, error: n.error, wait_until: null, wait_reason: null }
  return { ...run, ...patch, seq: run.seq + 1, updated_at: now }
}

/**
 * Whether a step must see the pending steps' writes before it runs: a step that reads our records
 * (payments, plans, events), or a customer message while another is pending (the daily cap counts
 * the messages already filed).
 */
export function readsPendingWrites(node: Pick<ProgramNode, 'step'>, pending: readonly { readonly node: Pick<ProgramNode, 'step'> | undefined }[]): boolean {
  const traits = traitsOf(node.step.type)
  if (traits.customerMessage) return pending.some((p) => p.node && traitsOf(p.node.step.type).customerMessage)
  return traits.readsRecords
}

/** The channels and payment provider, noting whether a step used one (then its effect is outside our database). */
function watchProviders(channels: Channels, payments: PaymentRetryProvider, touched: { outside: boolean }): Pick<ActionInput<unknown>, 'channels' | 'payments'> {
  const watched: Record<string, Channel> = {}
  for (const [kind, channel] of Object.entries(channels) as [keyof Channels, Channel | undefined][]) {
    if (!channel) continue
    watched[kind] = { kind: channel.kind, send: (message) => ((touched.outside = true), channel.send(message)) }
  }
  const outside = <A extends unknown[], R>(f: ((...a: A) => Promise<R>) | undefined) =>
    f && ((...a: A) => ((touched.outside = true), f.apply(payments, a)))
  return {
    channels: watched as Channels,
    payments: {
      ...(payments.kind ? { kind: payments.kind } : {}),
      retry: outside(payments.retry)!,
      ...(payments.endSubscription ? { endSubscription: outside(payments.endSubscription) } : {}),
      ...(payments.cardUpdateUrl ? { cardUpdateUrl: outside(payments.cardUpdateUrl) } : {}),
      ...(payments.declineOfInvoice ? { declineOfInvoice: outside(payments.declineOfInvoice) } : {}),
    },
  }
}

function emptyStep(runId: string, node: ProgramNode): StepResultRow {
  return { run_id: runId, step_id: node.step.id, type: node.step.type, status: 'pending', attempts: 0, started_at: null, finished_at: null, output: null, error: null }
}
