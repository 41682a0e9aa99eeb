import { Migrator, sql, type Kysely } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { openStore, type Store } from '../src/store/database.js'
import { migrationProvider } from '../src/store/migrations/index.js'
import { DIALECTS } from './helpers/dialects.js'

// Rows as builds before migration 0006 stored them: `running` for a waiting step, `pending` for four things.
const BEFORE = [
  { step_id: 'give-it-time', type: 'wait', status: 'running', attempts: 1, output: '{"until":"2026-12-01T00:00:00.000Z"}', error: null },
  { step_id: 'nudge', type: 'send_sms', status: 'pending', attempts: 0, output: null, error: null },
  { step_id: 'tell-customer', type: 'send_email', status: 'pending', attempts: 0, output: '{"deferred_until":"2026-12-01T08:00:00.000Z","reason":"quiet hours"}', error: null },
  { step_id: 'hook', type: 'webhook', status: 'pending', attempts: 2, output: null, error: 'HTTP 503' },
  { step_id: 'offer--accepted-alert', type: 'notify_team', status: 'pending', attempts: 0, output: '{"channel":"email","to":"finance@acme.test"}', error: null },
  { step_id: 'tag', type: 'update_customer', status: 'completed', attempts: 1, output: null, error: null },
]

for (const dialect of DIALECTS) {
  describe(`migration 0006 step statuses (${dialect.name})`, () => {
    let store: Store | undefined
    afterEach(async () => {
      await store?.close()
      store = undefined
    })

    async function migrator(s: Store): Promise<Migrator> {
      const schema = s.dialect === 'postgres' ? (await sql<{ s: string }>`select current_schema() as s`.execute(s.db)).rows[0]?.s : undefined
      return new Migrator({ db: s.db, provider: migrationProvider, ...(schema ? { migrationTableSchema: schema } : {}) })
    }

    it('gives each stored step state its own word, and down puts the old ones back', async () => {
      store = await openStore({ url: await dialect.freshDatabaseUrl() })
      const m = await migrator(store)
      expect((await m.migrateTo('0005-billing-staff')).error).toBeUndefined()
      // Stored as the old build wrote them: the typed schema no longer admits `running`.
      const db = store.db as unknown as Kysely<Record<string, Record<string, unknown>>>
      await db.insertInto('step_results').values(BEFORE.map((r) => ({ run_id: 'run_1', started_at: null, finished_at: null, ...r }))).execute()
      const statuses = async () =>
        Object.fromEntries((await db.selectFrom('step_results').select(['step_id', 'status']).orderBy('step_id').execute()).map((r) => [r.step_id, r.status]))

      expect((await m.migrateTo('0006-step-statuses')).error).toBeUndefined()
      expect(await statuses()).toEqual({
        'give-it-time': 'waiting', nudge: 'pending', 'tell-customer': 'deferred', hook: 'retrying', 'offer--accepted-alert': 'queued', tag: 'completed',
      })

      expect((await m.migrateTo('0005-billing-staff')).error).toBeUndefined()
      expect(await statuses()).toEqual(Object.fromEntries(BEFORE.map((r) => [r.step_id, r.status])))
    })
  })
}
