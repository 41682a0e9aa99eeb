import type { z } from 'zod'
import { evaluateAll } from '../domain/conditions.js'
import { declineData } from '../domain/decline-kind.js'
import type { RecoupEvent } from '../domain/events.js'
import { planIdOf, subscriptionIdOf } from '../domain/events.js'
import type { Trigger, TriggerType } from '../domain/workflow.js'
import { TRIGGERS } from './catalog.js'
import type { RecordBatch, RecordTimes } from './record-batch.js'
import type { VariableTree } from './variables.js'

/**
 * One trigger type, all in its own file (src/triggers/<name>.ts): the events it starts on, what
 * they change in our records, what a run of it knows (its context and template variables), and the
 * sample event for checks and previews.
 */
export interface TriggerSpec {
  readonly type: TriggerType
  readonly title: string
  /** The schema of the events that start it (the event types it accepts include its own). */
  readonly event: z.ZodType
  /**
   * Its events carry the payment that failed (`payment`): ingest holds a run's start for the decline
   * reason while `payment.reason_pending`, a later failure of the same invoice updates the run
   * recovering it instead of starting another, and a failure of an invoice already paid is ignored.
   */
  readonly carriesPayment: boolean
  /**
   * Its record effect: adds the rows its event changes (a failed payment, a canceled plan) to the
   * batch's. Ingest calls it for each of the trigger's events in event order, then writes the whole
   * batch with one statement per table (src/store/sql/), so it must not write anything itself.
   */
  records(event: RecoupEvent, batch: RecordBatch, at: RecordTimes): void
  /** The event's own part of a run's template data (its payment, its plan), stored with the run. */
  context(event: RecoupEvent): Partial<Pick<EventContext, 'payment' | 'subscription' | 'installment_plan'>>
  /** Template variables a run of this trigger has. */
  readonly variables: VariableTree
  /** The variables the dashboard's picker offers first, as they are written in a template. */
  readonly suggestedVariables: readonly string[]
  /** An event used for save-time checks and for previews when the user gives none. */
  readonly sampleEvent: RecoupEvent
}

export interface ProductInfo {
  readonly id: string
  readonly name: string
  readonly description: string | null
}

/**
 * The part of a run's template data that comes from its event; stored with the run so a
 * run renders the same no matter how records change later. `customer` is added live per step.
 */
export interface EventContext {
  readonly event: { id: string; type: string; occurred_at: string; metadata: Record<string, unknown> }
  readonly product: ProductInfo | null
  readonly products: readonly ProductInfo[]
  readonly payment?: Record<string, unknown>
  readonly subscription?: { id: string; status: string }
  readonly installment_plan?: Record<string, unknown>
}

/** The trigger of an event type, or undefined when events of the type start no workflow. */
export function triggerOf(type: string): TriggerSpec | undefined {
  return Object.hasOwn(TRIGGERS, type) ? (TRIGGERS as Readonly<Record<string, TriggerSpec>>)[type] : undefined
}

/** True when the event starts a trigger whose events carry the payment that failed (`carriesPayment`). */
export function carriesPayment(event: RecoupEvent): event is Extract<RecoupEvent, { payment: unknown }> {
  return triggerOf(event.type)?.carriesPayment === true && 'payment' in event
}

/** Products of the event that the trigger selected (all of them for `*`). */
export function selectedProducts(trigger: Trigger, event: RecoupEvent): string[] {
  if (trigger.products.includes('*')) return [...event.product_ids]
  return event.product_ids.filter((p) => trigger.products.includes(p))
}

/** Builds the event part of a run's data (the trigger's own part from the trigger). `products` must hold the names of the selected ones. */
export function eventContext(event: RecoupEvent, products: readonly ProductInfo[], receivedAt: string): EventContext {
  const base = {
    event: { id: event.id, type: event.type, occurred_at: event.occurred_at ?? receivedAt, metadata: event.metadata ?? {} },
    product: products[0] ?? null,
    products,
  }
  const trigger = triggerOf(event.type)
  if (trigger) return { ...base, ...trigger.context(event) }
  // Not a trigger (a preview given another event): its payment as it is, the subscription not past due.
  if ('payment' in event) {
    const id = subscriptionIdOf(event)
    return { ...base, payment: { ...event.payment }, ...(id ? { subscription: { id, status: 'active' } } : {}) }
  }
  const plan = planIdOf(event)
  const sub = subscriptionIdOf(event)
  return { ...base, ...(sub ? { subscription: { id: sub, status: 'unknown' } } : {}), ...(plan ? { installment_plan: { id: plan } } : {}) }
}

/** True when a workflow's trigger fires for this event (type, products, conditions). */
export function triggerMatches(trigger: Trigger, event: RecoupEvent, data: object): boolean {
  if (trigger.type !== event.type) return false
  if (selectedProducts(trigger, event).length === 0 && !(trigger.products.includes('*'))) return false
  // `decline` (what the decline asks of the customer) from the event's payment, as runs see it.
  const decline = 'payment' in event ? declineData(event.payment) : undefined
  return evaluateAll(trigger.conditions, decline ? { ...data, decline } : data)
}
