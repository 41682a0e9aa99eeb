import { afterEach, describe, expect, it } from 'vitest'
import { migrate, openStore, type Store } from '../src/store/database.js'
import { getCustomer, patchCustomer, upsertCustomer } from '../src/store/repos/customers.js'
import { DIALECTS } from './helpers/dialects.js'

for (const dialect of DIALECTS) {
  describe(`update_customer's patch on ${dialect.name}`, () => {
    let store: Store | undefined
    afterEach(async () => store?.close())

    it('keeps every tag and field when many transactions patch one customer at once', async () => {
      store = await openStore({ url: await dialect.freshDatabaseUrl(), poolSize: 12 })
      await migrate(store)
      const db = store.db
      await upsertCustomer(db, 'cus_busy', { tags: ['vip'], fields: { plan: 'pro' } })
      // Each transaction reads the customer, then writes it back: without compare-and-set the
      // later writers would overwrite the earlier ones' tags.
      const n = 10
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          db.transaction().execute(async (trx) => {
            await patchCustomer(trx, 'cus_busy', { addTags: [`t${i}`], setFields: { [`f${i}`]: i }, note: `note ${i}` })
          }),
        ),
      )
      const c = await getCustomer(db, 'cus_busy')
      expect([...c.tags].sort()).toEqual(['vip', ...Array.from({ length: n }, (_, i) => `t${i}`)].sort())
      expect(c.fields).toEqual({ plan: 'pro', ...Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i])) })
      const notes = await db.selectFrom('customer_notes').select('body').where('customer_id', '=', 'cus_busy').execute()
      expect(notes).toHaveLength(n)
    })

    it('writes without reading when the customer is as the caller saw it, and reads again when it is not', async () => {
      store = await openStore({ url: await dialect.freshDatabaseUrl() })
      await migrate(store)
      const db = store.db
      await upsertCustomer(db, 'cus_seen', { tags: ['a'], fields: { n: 1 } })
      await patchCustomer(db, 'cus_seen', { addTags: ['b'] }, { tags: ['a'], fields: { n: 1 } })
      expect(await getCustomer(db, 'cus_seen')).toMatchObject({ tags: ['a', 'b'], fields: { n: 1 } })
      // Stale: someone added 'b' and set n since; the patch is applied to what is stored.
      await patchCustomer(db, 'cus_seen', { addTags: ['c'], setFields: { m: 2 } }, { tags: ['a'], fields: {} })
      expect(await getCustomer(db, 'cus_seen')).toMatchObject({ tags: ['a', 'b', 'c'], fields: { n: 1, m: 2 } })
      await expect(patchCustomer(db, 'cus_nobody', { addTags: ['x'] }, { tags: [], fields: {} })).rejects.toThrow(/cus_nobody/)
    })
  })
}
