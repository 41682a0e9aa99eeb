import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { TransactionBatcher } from '../src/store/batcher.js'
import { openStore, type Store } from '../src/store/database.js'
import { DIALECTS } from './helpers/dialects.js'

const postgres = DIALECTS.find((d) => d.name === 'postgres')

describe.skipIf(!postgres)('group commit on postgres', () => {
  let store: Store | undefined
  afterEach(async () => store?.close())

  it('runs a unit again when PostgreSQL picks it as a deadlock victim, and each unit commits once', async () => {
    store = await openStore({ url: await postgres!.freshDatabaseUrl() })
    const db = store.db
    await sql`create table pair (id text primary key, touched_by text[] not null default '{}')`.execute(db)
    await sql`insert into pair (id) values ('a'), ('b')`.execute(db)
    // Two batchers, as two commit lanes (or ingest and the engine) are: each unit takes both rows,
    // in opposite orders, with a pause between, so each holds the row the other wants next.
    const tries = { ab: 0, ba: 0 }
    const unit = (name: 'ab' | 'ba', first: string, second: string) => async (trx: typeof db) => {
      tries[name]++
      await sql`update pair set touched_by = touched_by || ${name}::text where id = ${first}`.execute(trx)
      await sql`select pg_sleep(0.3)`.execute(trx)
      await sql`update pair set touched_by = touched_by || ${name}::text where id = ${second}`.execute(trx)
      return name
    }
    const one = new TransactionBatcher({ db })
    const two = new TransactionBatcher({ db })
    const results = await Promise.all([one.run(unit('ab', 'a', 'b')), two.run(unit('ba', 'b', 'a'))])
    expect(results).toEqual(['ab', 'ba'])
    // One of them was aborted by the deadlock detector and ran again.
    expect(tries.ab + tries.ba).toBe(3)
    const rows = await sql<{ id: string; touched_by: string[] }>`select id, touched_by from pair order by id`.execute(db)
    for (const r of rows.rows) expect([...r.touched_by].sort()).toEqual(['ab', 'ba'])
  })

  it('does not run a unit again for an error that is not transient', async () => {
    store = await openStore({ url: await postgres!.freshDatabaseUrl() })
    const batcher = new TransactionBatcher({ db: store.db })
    let tries = 0
    await expect(
      batcher.run(async (trx) => {
        tries++
        await sql`select * from no_such_table`.execute(trx)
      }),
    ).rejects.toThrow(/no_such_table/)
    expect(tries).toBe(1)
  })
})
