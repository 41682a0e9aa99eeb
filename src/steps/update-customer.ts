import { z } from 'zod'
import { patchCustomer, patchedTagsAndFields, type CustomerPatch } from '../store/repos/customers.js'
import type { RecordsUndo } from '../store/repos/heal.js'
import { defineAction } from './action.js'

const tag = z.string().min(1).max(100)

/** Updates the CRM record: tags, fields (string values are templates) and a note. */
export const updateCustomer = defineAction({
  type: 'update_customer',
  title: 'Update customer (CRM)',
  traits: { outside: false, customerMessage: false, readsRecords: false, continuesOnError: false },
  params: z
    .strictObject({
      add_tags: z.array(tag).max(50).optional(),
      remove_tags: z.array(tag).max(50).optional(),
      set_fields: z.record(z.string().min(1).max(100), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()])).optional(),
      note: z.string().min(1).max(10_000).optional(),
      /**
       * `recovered`: what this step changes is temporary. When the run ends as recovered or offer
       * accepted, the tags it added are removed, the tags it removed come back, and the fields it
       * set return to `restore_fields` (else to what they were before).
       */
      until: z.literal('recovered', { error: 'must be "recovered" (undo these changes when the money is recovered), or left out' }).optional(),
      restore_fields: z.record(z.string().min(1).max(100), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()])).optional(),
    })
    .refine((p) => p.add_tags || p.remove_tags || p.set_fields || p.note, {
      message: 'give at least one of add_tags, remove_tags, set_fields, note',
    })
    .refine((p) => !p.restore_fields || p.until === 'recovered', { path: ['restore_fields'], message: 'restore_fields needs until: recovered (they are what the fields go back to then)' })
    .refine((p) => !p.restore_fields || Object.keys(p.restore_fields).every((k) => p.set_fields && k in p.set_fields), {
      path: ['restore_fields'], message: 'restore only fields this step sets in set_fields',
    }),
  // set_fields' string values are templates too.
  templates: ['note', 'set_fields'],
  preview({ params, render }) {
    return { ...params, set_fields: renderFields(params.set_fields, render), note: params.note && render(params.note) }
  },
  async run({ params, render, customerId, runId, data }) {
    const setFields = renderFields(params.set_fields, render)
    const note = params.note ? render(params.note) : undefined
    const patch: CustomerPatch = { addTags: params.add_tags, removeTags: params.remove_tags, setFields, note, runId }
    // The customer as the engine holds it (read this pass, earlier steps' patches applied).
    const seen = tagsAndFields(data.customer)
    const undo = params.until === 'recovered' ? undoOf(params, setFields, seen ?? { tags: [], fields: {} }) : undefined
    return {
      status: 'completed',
      output: {
        ...(params.add_tags ? { added_tags: params.add_tags } : {}),
        ...(params.remove_tags ? { removed_tags: params.remove_tags } : {}),
        ...(setFields ? { set_fields: setFields } : {}),
        ...(note ? { note } : {}),
        ...(undo ? { undo_when_recovered: undo } : {}),
      },
      apply: (trx) => patchCustomer(trx, customerId, patch, seen),
      customer: (c) => ({ ...c, ...patchedTagsAndFields(tagsAndFields(c) ?? { tags: [], fields: {} }, patch) }),
    }
  },
})

/**
 * What undoes a temporary change once the money is recovered: only what this step changed (a tag
 * the customer already had stays), fields back to `restore_fields` or to their value before.
 */
function undoOf(
  params: { add_tags?: string[]; remove_tags?: string[]; restore_fields?: Record<string, unknown> },
  setFields: Record<string, unknown> | undefined,
  before: { tags: string[]; fields: Record<string, unknown> },
): RecordsUndo {
  const removeTags = (params.add_tags ?? []).filter((t) => !before.tags.includes(t))
  const addTags = (params.remove_tags ?? []).filter((t) => before.tags.includes(t))
  const fields = Object.fromEntries(
    Object.keys(setFields ?? {}).map((k) => [k, params.restore_fields && k in params.restore_fields ? params.restore_fields[k] : (before.fields[k] ?? null)]),
  )
  return {
    ...(removeTags.length ? { remove_tags: removeTags } : {}),
    ...(addTags.length ? { add_tags: addTags } : {}),
    ...(Object.keys(fields).length ? { set_fields: fields } : {}),
  }
}

/** The tags and fields of a customer in template data, when it has them. */
function tagsAndFields(customer: unknown): { tags: string[]; fields: Record<string, unknown> } | undefined {
  const c = customer as { tags?: unknown; fields?: unknown } | undefined
  if (!c || !Array.isArray(c.tags) || typeof c.fields !== 'object' || c.fields === null) return undefined
  return { tags: c.tags as string[], fields: c.fields as Record<string, unknown> }
}

function renderFields(
  fields: Record<string, string | number | boolean | null> | undefined,
  render: (t: string) => string,
): Record<string, unknown> | undefined {
  if (!fields) return undefined
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, typeof v === 'string' ? render(v) : v]))
}
