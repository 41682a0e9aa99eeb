import pg from 'pg'

/** Drops the per-file schemas earlier runs left in the test database, so its catalog stays small. */
export default async function setup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL
  if (!url) return
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query<{ nspname: string }>(`select nspname from pg_namespace where nspname like 't\\_%'`)
    for (const { nspname } of rows) await client.query(`drop schema if exists "${nspname}" cascade`)
  } finally {
    await client.end()
  }
}
