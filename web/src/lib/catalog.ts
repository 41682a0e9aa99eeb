// What workflows are built from (GET /v1/catalog): trigger types with their variables and sample
// events, step types with their traits, exit events. The server's registries are the one source;
// the dashboard fetches them once and declares none of them itself.

import { api } from './api'

export interface TriggerInfo {
  type: string
  title: string
  /** Its events carry the payment that failed (else a plan's balance due). */
  carries_payment: boolean
  /** The template variables a run has: a tree, `*` under a key for free-form data. */
  variables: Record<string, unknown>
  /** Variables the picker offers first, as written in a template. */
  suggested_variables: string[]
  sample_event: Record<string, unknown>
}

export interface StepTraits {
  outside: boolean
  customer_message: boolean
  address?: 'email' | 'phone'
  reads_records: boolean
  continues_on_error: boolean
  calls_url: boolean
  secret_param?: string
  /** Params holding nested steps (a branch's `then`, `else`). */
  arms: string[]
  /** The portal link that shows this step's state (`offer`). */
  portal_link?: string
}

export interface StepTypeInfo {
  type: string
  title: string
  traits: StepTraits
  templates: string[]
  conditions: string[]
  /** JSON Schema of the step's params. */
  params: Record<string, unknown>
}

export interface Catalog {
  trigger_types: TriggerInfo[]
  step_types: StepTypeInfo[]
  exit_events: { type: string; title: string }[]
  default_exit_on: string[]
  condition_ops: string[]
}

let loading: Promise<Catalog> | null = null

/** The catalog, fetched once per page load (a failed fetch is tried again on the next call). */
export function loadCatalog(): Promise<Catalog> {
  loading ??= api.get<Catalog>('/v1/catalog').catch((err: unknown) => {
    loading = null
    throw err
  })
  return loading
}

/** A step type's words for people, or the type itself when the catalog does not know it. */
export function stepTitle(catalog: Catalog | null | undefined, type: string): string {
  return catalog?.step_types.find((s) => s.type === type)?.title ?? type
}

/** A trigger type's words for people, or the type itself. */
export function triggerTitle(catalog: Catalog | null | undefined, type: string): string {
  return catalog?.trigger_types.find((t) => t.type === type)?.title ?? type
}

/** A step type's traits (none known: the most careful ones). */
export function traitsOf(catalog: Catalog | null | undefined, type: string): StepTraits | undefined {
  return catalog?.step_types.find((s) => s.type === type)?.traits
}

/** Template variables a trigger offers, for the variable picker (the common ones first). */
export function variablesFor(catalog: Catalog | null | undefined, type: string): string[] {
  return catalog?.trigger_types.find((t) => t.type === type)?.suggested_variables ?? []
}

/** A sample event for the live preview: the trigger's sample, for the first product chosen (none for "any"). */
export function sampleEvent(catalog: Catalog | null | undefined, type: string, products: readonly string[]): Record<string, unknown> {
  const productIds = products.filter((p) => p !== '*')
  const sample = catalog?.trigger_types.find((t) => t.type === type)?.sample_event ?? { type, customer: { id: 'cus_sample' } }
  return { ...sample, product_ids: productIds.length ? [productIds[0]] : [] }
}
