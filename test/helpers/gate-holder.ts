// A thread that opens the store as a second connection, starts a write and never finishes it:
// the stand-in for an engine thread that dies inside a transaction (test/write-gate-crash.test.ts).
import { parentPort, workerData } from 'node:worker_threads'
import { openStore } from '../../src/store/database.js'

const { url, gate } = workerData as { url: string; gate: SharedArrayBuffer }
const store = await openStore({ url, sqliteRole: 'joined', writeGate: gate })
void store.db.transaction().execute(async (trx) => {
  await trx.insertInto('settings').values({ key: 'held', value: 'by the dying thread' }).execute()
  parentPort!.postMessage('holding')
  await new Promise(() => {}) // never commits
})
