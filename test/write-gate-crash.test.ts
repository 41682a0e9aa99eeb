import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { typeScriptWorker } from '../src/runs/engine-thread.js'
import { migrate, openStore } from '../src/store/database.js'
import { WriteGate } from '../src/store/write-gate.js'

describe('a thread that dies inside a write', () => {
  it('leaves the file writable: its transaction is rolled back and the gate is taken back', async () => {
    const url = join(mkdtempSync(join(tmpdir(), 'recoup-gate-crash-')), 'r.db')
    const store = await openStore({ url })
    try {
      await migrate(store)
      const holder = typeScriptWorker(join(import.meta.dirname, 'helpers', 'gate-holder.ts'), { workerData: { url, gate: store.writeGate } })
      await new Promise((resolve, reject) => {
        holder.once('message', resolve)
        holder.once('error', reject)
      })
      const id = holder.threadId
      await holder.terminate()
      expect(WriteGate.releaseIfHeldBy(store.writeGate!, id)).toBe(true)
      // Nothing of the dead thread's write is there, and this connection writes at once.
      await store.db.insertInto('settings').values({ key: 'after', value: 'written' }).execute()
      const rows = await store.db.selectFrom('settings').select('key').where('key', 'in', ['held', 'after']).execute()
      expect(rows.map((r) => r.key)).toEqual(['after'])
      // Freed once: a second call finds nothing to free.
      expect(WriteGate.releaseIfHeldBy(store.writeGate!, id)).toBe(false)
    } finally {
      await store.close()
    }
  })
})
