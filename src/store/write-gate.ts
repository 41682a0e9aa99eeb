import { threadId } from 'node:worker_threads'
import type SqliteDatabase from 'better-sqlite3'
import { ResourceBusyError } from '../domain/errors.js'

/**
 * One writer at a time across the threads of the process that owns a SQLite file (the HTTP thread
 * and the engine thread), handed over at once. SQLite itself would make the second writer sleep and
 * poll (1, 2, 5, 10 … ms), so a write could wait several times longer than the other's transaction
 * took. The gate is a mutex in shared memory: a waiting thread blocks in `Atomics.wait` and is
 * woken by the unlock. Slot 0 is the state (0 free, 1 held, 2 held with waiters), slot 1 the
 * holder's thread id, so a thread that dies holding the gate can have it taken back.
 */
export class WriteGate {
  readonly buffer: SharedArrayBuffer
  readonly #state: Int32Array
  readonly #timeoutMs: number

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(8), timeoutMs = 5000) {
    this.buffer = buffer
    this.#state = new Int32Array(buffer)
    this.#timeoutMs = timeoutMs
  }

  /**
   * Frees the gate if the thread `threadId` holds it: that thread ended (crashed or was
   * terminated) inside a write, and SQLite rolled its transaction back when its connection closed.
   */
  static releaseIfHeldBy(buffer: SharedArrayBuffer, threadId: number): boolean {
    const s = new Int32Array(buffer)
    if (Atomics.load(s, 0) === 0 || Atomics.compareExchange(s, 1, threadId, 0) !== threadId) return false
    Atomics.store(s, 0, 0)
    Atomics.notify(s, 0, 1)
    return true
  }

  /** Takes the gate, blocking this thread until it is free (at most the timeout: then throws). */
  lock(): void {
    this.#acquire()
    Atomics.store(this.#state, 1, threadId)
  }

  #acquire(): void {
    const s = this.#state
    let c = Atomics.compareExchange(s, 0, 0, 1)
    if (c === 0) return
    const until = Date.now() + this.#timeoutMs
    do {
      if (c === 2 || Atomics.compareExchange(s, 0, 1, 2) !== 0) {
        const left = until - Date.now()
        if (left <= 0) throw new ResourceBusyError('The database stayed busy with another write for too long; the work is tried again.')
        Atomics.wait(s, 0, 2, left)
      }
      c = Atomics.compareExchange(s, 0, 0, 2)
    } while (c !== 0)
  }

  unlock(): void {
    Atomics.store(this.#state, 1, 0)
    if (Atomics.sub(this.#state, 0, 1) !== 1) {
      Atomics.store(this.#state, 0, 0)
      Atomics.notify(this.#state, 0, 1)
    }
  }
}

type Params = unknown[]

/**
 * A statement that takes the gate around its write: a `begin` takes it until its `commit` or
 * `rollback`; a write outside a transaction takes it for itself. Reads never wait (WAL). Which of
 * these a statement is, is known from its text once, when it is prepared.
 */
export function gatedStatement(raw: SqliteDatabase.Database, stmt: SqliteDatabase.Statement, text: string, gate: WriteGate): SqliteDatabase.Statement {
  const command = text.trim().toLowerCase()
  let run: <T>(f: () => T) => T
  if (command === 'begin immediate') {
    run = (f) => {
      gate.lock()
      try {
        return f()
      } catch (err) {
        gate.unlock()
        throw err
      }
    }
  } else if (command === 'commit' || command === 'rollback') {
    run = (f) => {
      try {
        return f()
      } finally {
        // A failed commit leaves the transaction open; the rollback that follows frees the gate.
        if (!raw.inTransaction) gate.unlock()
      }
    }
  } else if (stmt.readonly) {
    // SQLite counts transaction control as read-only too, hence the cases above come first.
    return stmt
  } else {
    run = (f) => {
      if (raw.inTransaction) return f()
      gate.lock()
      try {
        return f()
      } finally {
        gate.unlock()
      }
    }
  }
  return {
    reader: stmt.reader,
    readonly: stmt.readonly,
    source: stmt.source,
    run: (...p: Params) => run(() => stmt.run(...p)),
    all: (...p: Params) => run(() => stmt.all(...p)),
    get: (...p: Params) => run(() => stmt.get(...p)),
    iterate: (...p: Params) => run(() => stmt.iterate(...p)),
  } as unknown as SqliteDatabase.Statement
}
