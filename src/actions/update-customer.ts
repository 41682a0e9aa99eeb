import { z } from 'zod'
import { patchCustomer, patchedTagsAndFields, type CustomerPatch } from '../store/customers.js'
import { defineAction } from './action.js'

const tag = z.string().min(1).max(100)

/** Updates the CRM record: tags, fields (string values are templates) and a note. */
export const updateCustomer = defineAction({
  type: 'update_customer',
  params: z
    .strictObject({
      add_tags: z.array(tag).max(50).optional(),
      remove_tags: z.array(tag).max(50).optional(),
      set_fields: z.record(z.string().min(1).max(100), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()])).optional(),
      note: z.string().min(1).max(10_000).optional(),
    })
    .refine((p) => p.add_tags || p.remove_tags || p.set_fields || p.note, {
      message: 'give at least one of add_tags, remove_tags, set_fields, note',
    }),
  templates: ['note'],
  preview({ params, render }) {
    return { ...params, set_fields: renderFields(params.set_fields, render), note: params.note && render(params.note) }
  },
  async run({ params, render, customerId, runId, data }) {
    const setFields = renderFields(params.set_fields, render)
    const note = params.note ? render(params.note) : undefined
    const patch: CustomerPatch = { addTags: params.add_tags, removeTags: params.remove_tags, setFields, note, runId }
    // The customer as the engine holds it (read this pass, earlier steps' patches applied).
    const seen = tagsAndFields(data.customer)
    return {
      status: 'completed',
      output: {
        ...(params.add_tags ? { added_tags: params.add_tags } : {}),
        ...(params.remove_tags ? { removed_tags: params.remove_tags } : {}),
        ...(setFields ? { set_fields: setFields } : {}),
        ...(note ? { note } : {}),
      },
      apply: (trx) => patchCustomer(trx, customerId, patch, seen),
      customer: (c) => ({ ...c, ...patchedTagsAndFields(tagsAndFields(c) ?? { tags: [], fields: {} }, patch) }),
    }
  },
})

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
