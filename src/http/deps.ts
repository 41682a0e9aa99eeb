import type { Kysely } from 'kysely'
import type { EventPublisher } from '../outbound/publisher.js'
import type { RunsService } from '../runs/service.js'
import type { WorkflowService } from '../workflows/service.js'
import type { CatalogCache } from '../ingest/catalog-cache.js'
import type { Ingestor } from '../ingest/ingest.js'
import type { Store } from '../store/database.js'
import type { Database } from '../store/schema.js'
import type { Metrics } from './metrics.js'

/** What the HTTP layer is given by app.ts. */
export interface HttpDeps {
  readonly store: Store
  readonly db: Kysely<Database>
  readonly ingestor: Ingestor
  readonly workflows: WorkflowService
  readonly runs: RunsService
  readonly catalog: CatalogCache
  readonly metrics: Metrics
  readonly publisher: EventPublisher
  /** RECOUP_WEBHOOK_ALLOW_PRIVATE: URLs saved for outbound calls may name local hosts. */
  readonly allowPrivateUrls?: boolean
  /** Folder with the built dashboard, if any. */
  readonly webRoot?: string
  /** Loads demo data (POST /v1/demo). */
  readonly loadDemo?: () => Promise<Record<string, unknown>>
}
