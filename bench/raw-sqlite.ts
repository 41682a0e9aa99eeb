// The reference for ingest's database figures: raw better-sqlite3 inserts of event-sized rows into a
// table shaped like `events` (text primary key), with the server's pragmas (WAL, synchronous
// NORMAL), one prepared statement run row by row in transactions of 1,000 rows: what SQLite itself
// does on this machine with no HTTP, parsing or query building around it. Prints rows/s.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { paymentFailedJson } from './lib.js'

const args = JSON.parse(process.argv[2] ?? '{}') as { seconds: number }
const dir = mkdtempSync(join(tmpdir(), 'recoup-bench-raw-'))
try {
  const db = new Database(join(dir, 'raw.db'))
  db.pragma('locking_mode = EXCLUSIVE')
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('cache_size = -16384')
  db.exec('create table events (id text primary key, type text not null, customer_id text not null, payload text not null, occurred_at text not null, received_at text not null)')
  const insert = db.prepare('insert into events (id, type, customer_id, payload, occurred_at, received_at) values (?, ?, ?, ?, ?, ?)')
  const batch = db.transaction((from: number) => {
    const now = new Date().toISOString()
    for (let i = from; i < from + 1000; i++) insert.run(`evt_raw_${i}`, 'payment.failed', `cus_${i}`, paymentFailedJson(`evt_raw_${i}`, i, 'prod_pro'), now, now)
  })
  const t0 = performance.now()
  let rows = 0
  while (performance.now() - t0 < args.seconds * 1000) {
    batch(rows)
    rows += 1000
  }
  const secs = (performance.now() - t0) / 1000
  db.close()
  process.stdout.write(`${JSON.stringify({ rows, seconds: secs, rowsPerSec: rows / secs })}\n`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
