import type { Migration, MigrationProvider } from 'kysely'
import * as m0001 from './0001-initial.js'
import * as m0002 from './0002-payments-invoice.js'
import * as m0003 from './0003-money-loop.js'
import * as m0004 from './0004-customer-messages.js'
import * as m0005 from './0005-billing-staff.js'
import * as m0006 from './0006-step-statuses.js'
import * as m0007 from './0007-lean-run-indexes.js'

/** Every migration, in order. Append only. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-payments-invoice': m0002,
  '0003-money-loop': m0003,
  '0004-customer-messages': m0004,
  '0005-billing-staff': m0005,
  '0006-step-statuses': m0006,
  '0007-lean-run-indexes': m0007,
}

/** Hands Kysely's Migrator the in-code list (no directory scan, so it works from any cwd). */
export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS
  },
}

/** Name of the newest migration this build knows. */
export const LATEST_MIGRATION = Object.keys(MIGRATIONS).at(-1)!
