import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { ResourceBusyError } from '../domain/errors.js'
import { openStore } from './database.js'
import { WriteGate } from './write-gate.js'

describe('WriteGate', () => {
  it('is taken and given back, and a second taker waits until the first lets go', async () => {
    const gate = new WriteGate()
    gate.lock()
    // Another thread tries for 2 s; it gets the gate once this thread unlocks after ~50 ms.
    // `released` is set just before the unlock: the other thread must see it once it holds the gate.
    const released = new Int32Array(new SharedArrayBuffer(4))
    const other = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads')
       const s = new Int32Array(workerData.gate)
       let c = Atomics.compareExchange(s, 0, 0, 1)
       while (c !== 0) { if (c === 2 || Atomics.compareExchange(s, 0, 1, 2) !== 0) Atomics.wait(s, 0, 2, 2000); c = Atomics.compareExchange(s, 0, 0, 2) }
       parentPort.postMessage(Atomics.load(new Int32Array(workerData.released), 0) === 1 ? 'after the unlock' : 'while it was held')`,
      { eval: true, workerData: { gate: gate.buffer, released: released.buffer } },
    )
    const got = new Promise((resolve) => other.once('message', resolve))
    await new Promise((r) => setTimeout(r, 50))
    Atomics.store(released, 0, 1)
    gate.unlock()
    expect(await got).toBe('after the unlock')
    await other.terminate()
  })

  it('gives up after its timeout with a busy error rather than blocking forever', () => {
    const held = new WriteGate(new SharedArrayBuffer(8), 5000)
    held.lock()
    const waiter = new WriteGate(held.buffer, 30)
    expect(() => waiter.lock()).toThrow(ResourceBusyError)
  })

  it('is held by a transaction until it commits or rolls back, and by a lone write for that write', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'recoup-gate-'))
    const store = await openStore({ url: join(dir, 'r.db') })
    const probe = new WriteGate(store.writeGate!, 20)
    const free = () => {
      try {
        probe.lock()
        probe.unlock()
        return true
      } catch {
        return false
      }
    }
    try {
      await store.db.schema.createTable('t').addColumn('v', 'integer').execute()
      expect(free()).toBe(true)
      await store.db.transaction().execute(async (trx) => {
        await trx.insertInto('t' as never).values({ v: 1 } as never).execute()
        expect(free()).toBe(false)
      })
      expect(free()).toBe(true)
      await expect(
        store.db.transaction().execute(async (trx) => {
          await trx.insertInto('t' as never).values({ v: 2 } as never).execute()
          throw new Error('undo')
        }),
      ).rejects.toThrow('undo')
      expect(free()).toBe(true)
      await store.db.insertInto('t' as never).values({ v: 3 } as never).execute()
      expect(free()).toBe(true)
    } finally {
      await store.close()
    }
  })
})
