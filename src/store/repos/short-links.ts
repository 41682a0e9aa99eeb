import type { Kysely } from 'kysely'
import type { Database, ShortLinkRow } from '../schema.js'

/** A short link as minted: the row to store. */
export type ShortLink = Omit<ShortLinkRow, 'created_at'>

/**
 * Stores short links, idempotently: a code already stored keeps its row and only moves its expiry
 * later (a message sent again, or a later message carrying the same link, keeps it open for the
 * full time from then). One statement however many links; its own transaction when not in one.
 */
export async function saveShortLinks(db: Kysely<Database>, links: readonly ShortLink[], now: string): Promise<void> {
  if (links.length === 0) return
  await db
    .insertInto('short_links')
    .values(links.map((l) => ({ ...l, created_at: now })))
    .onConflict((oc) =>
      oc
        .column('code')
        .doUpdateSet((eb) => ({ expires_at: eb.ref('excluded.expires_at') }))
        // Never shorter, and never another run's or purpose's link (codes are derived from both).
        .where((eb) =>
          eb.and([
            eb('short_links.expires_at', '<', eb.ref('excluded.expires_at')),
            eb('short_links.run_id', '=', eb.ref('excluded.run_id')),
            eb('short_links.purpose', '=', eb.ref('excluded.purpose')),
          ]),
        ),
    )
    .execute()
}

/** The short link stored under `code`, or undefined. */
export async function findShortLink(db: Kysely<Database>, code: string): Promise<ShortLinkRow | undefined> {
  return db.selectFrom('short_links').selectAll().where('code', '=', code).executeTakeFirst()
}
