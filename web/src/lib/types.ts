// Shapes of the public API as the dashboard reads them. Every field the UI shows is optional
// where API.md does not promise it, so a missing field degrades to "—" rather than a crash.

export interface Product {
  id: string
  name: string
  description?: string | null
  archived?: boolean
  archived_at?: string | null
  status?: string
  created_at?: string
}

export interface Workflow {
  id: string
  name: string
  description?: string
  status: 'draft' | 'active' | 'paused'
  version?: number
  /** Set in the archived list (GET /v1/workflows?archived=true): it no longer starts runs. */
  archived_at?: string | null
  trigger: { type: string; products: string[]; conditions?: unknown[] }
  exit_on?: string[]
  steps: Record<string, unknown>[]
  created_at?: string
  updated_at?: string
  /** e.g. a selected product was archived. */
  warnings?: string[]
}

export type RunStatus = 'running' | 'waiting' | 'completed' | 'failed' | 'canceled' | 'exited'
export const RUN_STATUSES: readonly RunStatus[] = ['running', 'waiting', 'completed', 'failed', 'canceled', 'exited']

export interface RunStep {
  id: string
  type: string
  status: string
  attempts?: number
  started_at?: string | null
  finished_at?: string | null
  output?: unknown
  error?: unknown
  wait_until?: string | null
  next_attempt_at?: string | null
}

export interface Run {
  id: string
  workflow_id: string
  workflow_version?: number
  workflow_name?: string | null
  event_id?: string
  customer_id?: string
  customer_name?: string | null
  customer_email?: string | null
  product_names?: string[]
  /** What is at stake (minor units): the failed payment, or a canceled plan's balance. */
  amount?: number | null
  currency?: string | null
  /** The step a running, waiting or failed run is on (what "Skip this step" skips). */
  current_step?: string | null
  /** How it ended for the money: recovered | offer_accepted | not_recovered | canceled; null while it runs. */
  outcome?: string | null
  /** Who ended it by hand (canceled it, marked it paid). */
  ended_by?: string | null
  status: RunStatus | string
  steps?: RunStep[]
  created_at?: string
  updated_at?: string
  finished_at?: string | null
  product_ids?: string[]
  waiting_until?: string | null
  waiting_reason?: string | null
  error?: unknown
}

export interface Note {
  body: string
  created_at?: string
  run_id?: string | null
}

export interface Customer {
  id: string
  email?: string | null
  phone?: string | null
  name?: string | null
  tags?: string[]
  fields?: Record<string, unknown>
  notes?: Note[]
  created_at?: string
}

export interface Payment {
  id: string
  payment_id?: string
  event_id?: string
  amount?: number
  currency?: string
  status?: string
  subscription_id?: string | null
  invoice_id?: string | null
  failure_code?: string | null
  failure_message?: string | null
  attempt?: number
  created_at?: string
  occurred_at?: string
  /** Who made the attempt: stripe, recoup, customer, staff (marked as paid)… */
  source?: string | null
}

export interface Message {
  id: string
  run_id?: string | null
  step_id?: string | null
  channel: string
  to?: string | null
  subject?: string | null
  body?: string | null
  status: string
  error?: unknown
  created_at?: string
  customer_id?: string | null
}

export interface Subscription {
  id: string
  customer_id?: string
  product_ids?: string[]
  status?: string
  amount?: number | null
  currency?: string | null
  grace_until?: string | null
  created_at?: string
  updated_at?: string
}

/** One installment of a restructured plan (or of a restructure offer). */
export interface Installment {
  due_at: string
  amount: number
}

export interface InstallmentPlan {
  id: string
  customer_id?: string
  product_ids?: string[]
  status?: string
  installments_total?: number | null
  installments_paid?: number | null
  installment_amount?: number | null
  currency?: string | null
  balance_due?: number | null
  reason?: string | null
  due_at?: string | null
  /** Set once the plan was restructured (an accepted offer). */
  schedule?: Installment[] | null
  created_at?: string
  updated_at?: string
}

export const OUTBOUND_EVENTS = ['run.completed', 'run.failed', 'run.exited', 'run.canceled', 'recovery.ended'] as const

export interface WebhookEndpoint {
  id: string
  url: string
  events: string[]
  description?: string | null
  disabled?: boolean
  created_at?: string
  updated_at?: string
  /** Only in the answer to the create request. */
  secret?: string
}

export interface WebhookDelivery {
  id: string
  endpoint_id?: string
  event_type?: string
  status?: string
  attempts?: number
  last_error?: string | null
  payload?: unknown
  created_at?: string
  updated_at?: string
  /** Epoch milliseconds. */
  next_attempt_at?: number | string | null
}

export interface RecoveryBucket {
  failed_amount?: number
  recovered_amount?: number
  failures?: number
  recovered?: number
  recovery_rate?: number
}

export interface RecoveryAnalytics {
  from?: string
  to?: string
  currency?: string | null
  currency_totals?: ({ currency: string } & RecoveryBucket)[]
  failed_amount?: number
  recovered_amount?: number
  recovery_rate?: number
  failures?: number
  recovered?: number
  median_time_to_recover_seconds?: number | null
  by_workflow?: ({ workflow_id: string; name?: string; runs?: number } & RecoveryBucket)[]
  by_product?: ({ product_id: string } & RecoveryBucket)[]
  by_decline_code?: ({ code: string } & RecoveryBucket)[]
  series?: { date: string; failed_amount?: number; recovered_amount?: number }[]
}
