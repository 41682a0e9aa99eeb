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
  event_id?: string
  customer_id?: string
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

export interface RecoveryAnalytics {
  from?: string
  to?: string
  currency_totals?: { currency: string; failed_amount?: number; recovered_amount?: number }[]
  failed_amount?: number
  recovered_amount?: number
  recovery_rate?: number
  by_workflow?: { workflow_id: string; name?: string; runs?: number; failed_amount?: number; recovered_amount?: number; recovery_rate?: number }[]
  by_decline_code?: { code: string; failed_amount?: number; recovered_amount?: number; recovery_rate?: number }[]
  series?: { date: string; failed_amount?: number; recovered_amount?: number }[]
}
