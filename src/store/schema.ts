import type { Generated } from 'kysely'

// Row types. Times are ISO 8601 UTC text; JSON is stored as text in both dialects so one
// repository serves SQLite and PostgreSQL alike. Money is integer minor units.

export interface ProductRow {
  id: string
  name: string
  description: string | null
  archived_at: string | null
  created_at: string
  updated_at: string
}

export interface CustomerRow {
  id: string
  email: string | null
  phone: string | null
  name: string | null
  time_zone: string | null
  tags: string
  fields: string
  sms_opt_out: number
  email_opt_out: number
  created_at: string
  updated_at: string
}

export interface CustomerNoteRow {
  id: string
  customer_id: string
  body: string
  run_id: string | null
  created_at: string
}

export interface SubscriptionRow {
  id: string
  customer_id: string
  product_ids: string
  status: string
  amount: number | null
  currency: string | null
  /** Due date of the unpaid payment after an accepted extension (the status stays past_due). */
  grace_until: string | null
  created_at: string
  updated_at: string
}

export interface InstallmentPlanRow {
  id: string
  customer_id: string
  product_ids: string
  status: string
  installments_total: number
  installments_paid: number
  installment_amount: number
  currency: string
  balance_due: number
  reason: string | null
  /** When the next money is due: the first new installment, or an extended due date. */
  due_at: string | null
  /** JSON `[{due_at, amount}]` after a restructure; sums exactly to balance_due. */
  schedule: string | null
  created_at: string
  updated_at: string
}

export interface PaymentRow {
  id: string
  event_id: string
  payment_id: string
  customer_id: string
  subscription_id: string | null
  invoice_id: string | null
  product_ids: string
  status: string
  amount: number
  currency: string
  failure_code: string | null
  failure_message: string | null
  attempt: number | null
  occurred_at: string
  created_at: string
}

export interface EventRow {
  id: string
  type: string
  customer_id: string
  payload: string
  occurred_at: string
  received_at: string
}

export interface WorkflowRow {
  id: string
  name: string
  status: string
  version: number
  trigger_type: string
  definition: string
  created_at: string
  updated_at: string
  deleted_at: string | null
}

export interface WorkflowVersionRow {
  workflow_id: string
  version: number
  definition: string
  created_at: string
}

export interface RunRow {
  id: string
  workflow_id: string
  workflow_version: number
  event_id: string
  customer_id: string
  product_ids: string
  subscription_id: string | null
  plan_id: string | null
  exit_on: string
  status: string
  cursor: number | null
  seq: number
  context: string
  wait_until: string | null
  wait_reason: string | null
  error: string | null
  created_at: string
  updated_at: string
  finished_at: string | null
}

export interface StepResultRow {
  run_id: string
  step_id: string
  type: string
  status: string
  attempts: number
  started_at: string | null
  finished_at: string | null
  output: string | null
  error: string | null
}

export interface JobRow {
  run_id: string
  run_at: number
  locked_until: number | null
  locked_by: string | null
}

export interface MessageRow {
  id: string
  run_id: string | null
  step_id: string | null
  customer_id: string | null
  channel: string
  to: string
  subject: string | null
  body: string
  status: string
  provider_id: string | null
  error: string | null
  created_at: string
}

export interface ApiKeyRow {
  id: string
  name: string
  prefix: string
  hash: string
  created_at: string
  last_used_at: string | null
}

export interface WebhookEndpointRow {
  id: string
  url: string
  events: string
  secret: string
  description: string | null
  disabled: number
  created_at: string
  updated_at: string
}

export interface DeliveryRow {
  id: string
  endpoint_id: string
  event_type: string
  payload: string
  status: string
  attempts: number
  next_attempt_at: number
  last_error: string | null
  created_at: string
  updated_at: string
}

export interface SettingRow {
  key: string
  value: string
}

export interface Database {
  settings: SettingRow
  webhook_endpoints: WebhookEndpointRow
  deliveries: DeliveryRow
  products: ProductRow
  customers: CustomerRow
  customer_notes: CustomerNoteRow
  subscriptions: SubscriptionRow
  installment_plans: InstallmentPlanRow
  payments: PaymentRow
  events: EventRow
  workflows: WorkflowRow
  workflow_versions: WorkflowVersionRow
  runs: RunRow
  step_results: StepResultRow
  jobs: JobRow
  messages: MessageRow
  api_keys: ApiKeyRow
}

export type { Generated }
