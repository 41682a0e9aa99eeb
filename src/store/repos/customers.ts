import type { Kysely } from 'kysely'
import { NotFoundError } from '../../domain/errors.js'
import { newId } from '../../domain/ids.js'
import { toPage, type Page, type PageRequest } from '../page.js'
import type { CustomerRow, Database } from '../schema.js'

export interface CustomerNote {
  id: string
  body: string
  created_at: string
  run_id?: string
}

export interface Customer {
  id: string
  email: string | null
  phone: string | null
  name: string | null
  time_zone: string | null
  tags: string[]
  fields: Record<string, unknown>
  sms_opt_out: boolean
  email_opt_out: boolean
  /** BCP 47 tag for messages and portal pages; null: the default language. */
  locale: string | null
  created_at: string
  updated_at: string
}

export interface CustomerInput {
  email?: string | null
  phone?: string | null
  name?: string | null
  time_zone?: string | null
  tags?: string[]
  fields?: Record<string, unknown>
  sms_opt_out?: boolean
  email_opt_out?: boolean
  locale?: string | null
}

/** Maps a stored row to the API shape. */
export function toCustomer(r: CustomerRow): Customer {
  return {
    id: r.id,
    email: r.email,
    phone: r.phone,
    name: r.name,
    time_zone: r.time_zone,
    tags: JSON.parse(r.tags) as string[],
    fields: JSON.parse(r.fields) as Record<string, unknown>,
    sms_opt_out: r.sms_opt_out === 1,
    email_opt_out: r.email_opt_out === 1,
    locale: r.locale ?? null,
    created_at: r.created_at,
    updated_at: r.updated_at,
  }
}

/** Reads a customer or returns undefined. */
export async function findCustomer(db: Kysely<Database>, id: string): Promise<Customer | undefined> {
  const row = await db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst()
  return row && toCustomer(row)
}

/** Reads a customer or throws NotFoundError. */
export async function getCustomer(db: Kysely<Database>, id: string): Promise<Customer> {
  const c = await findCustomer(db, id)
  if (!c) throw new NotFoundError('Customer', id)
  return c
}

/**
 * Creates or changes a customer. Fields left undefined keep their value; `tags` and `fields`
 * given here replace the stored ones (use `patchCustomer` to add or remove).
 */
export async function upsertCustomer(db: Kysely<Database>, id: string, input: CustomerInput): Promise<Customer> {
  const now = new Date().toISOString()
  const row: CustomerRow = {
    id,
    email: input.email ?? null,
    phone: input.phone ?? null,
    name: input.name ?? null,
    time_zone: input.time_zone ?? null,
    tags: JSON.stringify(input.tags ?? []),
    fields: JSON.stringify(input.fields ?? {}),
    sms_opt_out: input.sms_opt_out ? 1 : 0,
    email_opt_out: input.email_opt_out ? 1 : 0,
    created_at: now,
    updated_at: now,
    locale: input.locale ?? null,
  }
  const set: Partial<CustomerRow> = { updated_at: now }
  if (input.email !== undefined) set.email = input.email
  if (input.phone !== undefined) set.phone = input.phone
  if (input.name !== undefined) set.name = input.name
  if (input.time_zone !== undefined) set.time_zone = input.time_zone
  if (input.tags !== undefined) set.tags = row.tags
  if (input.fields !== undefined) set.fields = row.fields
  if (input.sms_opt_out !== undefined) set.sms_opt_out = row.sms_opt_out
  if (input.email_opt_out !== undefined) set.email_opt_out = row.email_opt_out
  if (input.locale !== undefined) set.locale = input.locale
  await db
    .insertInto('customers')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(set))
    .execute()
  return getCustomer(db, id)
}

/** What update_customer changes: tags removed then added, fields merged, a note appended. */
export interface CustomerPatch {
  readonly addTags?: readonly string[]
  readonly removeTags?: readonly string[]
  readonly setFields?: Record<string, unknown>
  readonly note?: string
  readonly runId?: string
}

/** The tags and fields a customer has after a patch (removals first, then additions; fields merge). */
export function patchedTagsAndFields(
  current: { readonly tags: readonly string[]; readonly fields: Readonly<Record<string, unknown>> },
  patch: CustomerPatch,
): { tags: string[]; fields: Record<string, unknown> } {
  const tags = current.tags.filter((t) => !patch.removeTags?.includes(t))
  for (const t of patch.addTags ?? []) if (!tags.includes(t)) tags.push(t)
  return { tags, fields: { ...current.fields, ...patch.setFields } }
}

/**
 * Applies a patch in the caller's transaction. The write only lands on the tags and fields it was
 * computed from (compare-and-set), so two runs tagging one customer at the same moment on
 * PostgreSQL both keep their tags: the later one reads again and re-applies its patch. `expected`
 * (the customer as the caller last saw it) saves the read when nobody changed it since.
 */
export async function patchCustomer(
  db: Kysely<Database>,
  id: string,
  patch: CustomerPatch,
  expected?: { readonly tags: readonly string[]; readonly fields: Readonly<Record<string, unknown>> },
): Promise<void> {
  const now = new Date().toISOString()
  let seen = expected && { tags: JSON.stringify(expected.tags), fields: JSON.stringify(expected.fields) }
  for (let attempt = 1; ; attempt++) {
    if (!seen) {
      const row = await db.selectFrom('customers').select(['tags', 'fields']).where('id', '=', id).executeTakeFirst()
      if (!row) throw new NotFoundError('Customer', id)
      seen = row
    }
    const current = { tags: JSON.parse(seen.tags) as string[], fields: JSON.parse(seen.fields) as Record<string, unknown> }
    const { tags, fields } = patchedTagsAndFields(current, patch)
    const res = await db
      .updateTable('customers')
      .set({ tags: JSON.stringify(tags), fields: JSON.stringify(fields), updated_at: now })
      .where('id', '=', id)
      .where('tags', '=', seen.tags)
      .where('fields', '=', seen.fields)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0) {
      if (attempt >= 20) throw new Error(`customer ${id} kept changing while update_customer applied its patch`)
      seen = undefined
      continue
    }
    if (patch.note) {
      await db
        .insertInto('customer_notes')
        .values({ id: newId('note'), customer_id: id, body: patch.note, run_id: patch.runId ?? null, created_at: now })
        .execute()
    }
    return
  }
}

/** The customer's notes, oldest first. */
export async function listNotes(db: Kysely<Database>, customerId: string): Promise<CustomerNote[]> {
  const rows = await db.selectFrom('customer_notes').selectAll().where('customer_id', '=', customerId).orderBy('id').execute()
  return rows.map((r) => ({ id: r.id, body: r.body, created_at: r.created_at, ...(r.run_id ? { run_id: r.run_id } : {}) }))
}

/** Lists customers by id, optionally those carrying a tag. */
export async function listCustomers(db: Kysely<Database>, req: PageRequest & { tag?: string }): Promise<Page<Customer>> {
  let q = db.selectFrom('customers').selectAll().orderBy('id').limit(req.limit + 1)
  if (req.after) q = q.where('id', '>', req.after)
  // Tags are a JSON array of strings; the quoted-substring match is exact for a tag name.
  if (req.tag) q = q.where('tags', 'like', `%${JSON.stringify(req.tag).replace(/[%_]/g, '')}%`)
  const rows = await q.execute()
  const page = toPage(rows, req, (r) => r.id, toCustomer)
  return req.tag ? { ...page, data: page.data.filter((c) => c.tags.includes(req.tag!)) } : page
}

/** Whether a customer with this id exists. */
export async function customerExists(db: Kysely<Database>, id: string): Promise<boolean> {
  return (await db.selectFrom('customers').select('id').where('id', '=', id).executeTakeFirst()) !== undefined
}

/** A customer's locale: undefined when there is no such customer, null when none is set. */
export async function customerLocale(db: Kysely<Database>, id: string): Promise<string | null | undefined> {
  return (await db.selectFrom('customers').select('locale').where('id', '=', id).executeTakeFirst())?.locale
}

/** Records an SMS opt-out (true) or opt-in (false) on every customer with this phone number. */
export async function setSmsOptOutByPhone(db: Kysely<Database>, phone: string, optOut: boolean, now: string): Promise<void> {
  await db.updateTable('customers').set({ sms_opt_out: optOut ? 1 : 0, updated_at: now }).where('phone', '=', phone).execute()
}
