import type { Generated } from 'kysely'
import type {
  DeliveryStatus, MessageStatus, PaymentStatus, ReasonStatus, RunOutcome, RunStatus, StepStatus, WorkflowStatus,
} from '../domain/statuses.js'

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
  /** BCP 47 language tag for messages and portal pages (`de`, `es-MX`); null: the default. */
  locale: string | null
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
  /** The card the subscription charges, when it has its own (Stripe `default_payment_method`). */
  default_payment_method: string | null
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
  status: PaymentStatus
  amount: number
  currency: string
  failure_code: string | null
  failure_message: string | null
  attempt: number | null
  occurred_at: string
  created_at: string
  /** The issuer's reason (Stripe `decline_code`), when it differs from failure_code's family. */
  decline_code: string | null
  /** Stripe `advice_code`: try_again_later | do_not_try_again | confirm_card_data. */
  advice_code: string | null
  /** The card network's advice (Mastercard Merchant Advice Code, e.g. `03`, `24`). */
  network_advice_code: string | null
  /** The network's raw response code (Visa `05`, `51`, …). */
  network_decline_code: string | null
  card_brand: string | null
  payment_method_id: string | null
  card_fingerprint: string | null
  payment_intent_id: string | null
  /** Whether the failure's reason is `known`, still `pending` (on its way from Stripe) or `unknown`. */
  reason_status: ReasonStatus | null
  /** When the processor itself will try again (Stripe's `next_payment_attempt`), if it will. */
  next_attempt_at: string | null
  /** Who made the attempt: `stripe`, `recoup`, `customer`, or the sender of the event. */
  source: string | null
}

/** A decline reason that arrived before the failure it explains (matched when that comes). */
export interface DeclineReasonRow {
  id: string
  customer_id: string
  invoice_id: string | null
  payment_intent_id: string | null
  amount: number | null
  currency: string | null
  /** JSON of the decline fields (failure_code, decline_code, advice_code, …). */
  details: string
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
  status: WorkflowStatus
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
  status: RunStatus
  cursor: number | null
  seq: number
  context: string
  wait_until: string | null
  wait_reason: string | null
  error: string | null
  created_at: string
  updated_at: string
  finished_at: string | null
  /** JSON `{reason, payment_method_id?, at}`: one payment attempt asked for outside the schedule. */
  attempt_request: string | null
  /** How the run ended for the money: recovered | offer_accepted | not_recovered | canceled; null while it runs. */
  outcome: RunOutcome | null
  /** Who ended the run by hand (the API key's name), when staff canceled it or marked it paid. */
  ended_by: string | null
}

export interface StepResultRow {
  run_id: string
  step_id: string
  type: string
  status: StepStatus
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
  status: MessageStatus
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
  status: DeliveryStatus
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

/** A short customer link (`/l/<code>`) standing for a signed portal link of one purpose and run. */
export interface ShortLinkRow {
  code: string
  purpose: string
  run_id: string
  customer_id: string
  /** ISO time; every message that carries the link again moves it later. */
  expires_at: string
  created_at: string
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
  decline_reasons: DeclineReasonRow
  events: EventRow
  workflows: WorkflowRow
  workflow_versions: WorkflowVersionRow
  runs: RunRow
  step_results: StepResultRow
  jobs: JobRow
  messages: MessageRow
  api_keys: ApiKeyRow
  short_links: ShortLinkRow
}

export type { Generated }
