import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { migrate, openStore } from '../src/store/database.js'
import { WriteGate } from '../src/store/write-gate.js'

/** Starts a TypeScript worker file through tsx, as the engine thread is started from the sources. */
function tsWorker(file: string, workerData: unknown): Worker {
  const tsx = import.meta.resolve('tsx/esm/api')
  const boot = `const { register } = await import(${JSON.stringify(tsx)}); register(); await import(${JSON.stringify(pathToFileURL(file).href)})`
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData })
}

describe('a thread that dies inside a write', () => {
  it('leaves the file writable: its transaction is rolled back and the gate is taken back', async () => {
    const url = join(mkdtempSync(join(tmpdir(), 'recoup-gate-crash-')), 'r.db')
    const store = await openStore({ url })
    try {
      await migrate(store)
      const holder = tsWorker(join(import.meta.dirname, 'helpers', 'gate-holder.ts'), { url, gate: store.writeGate })
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
