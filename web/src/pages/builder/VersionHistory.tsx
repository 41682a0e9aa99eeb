import { api, ApiError, type Page } from '../../lib/api'
import { useAsync } from '../../lib/use-async'
import { enc, formatDateTime } from '../../lib/format'
import { summarizeChanges } from '../../lib/version-diff'

interface Version {
  version: number
  status?: string
  created_at?: string
  definition?: unknown
  [k: string]: unknown
}

/** Past versions of a workflow and what changed in each (hidden when the server has no history endpoint). */
export function VersionHistory({ workflowId, refresh }: { workflowId: string; refresh: number }) {
  const versions = useAsync(async () => {
    try {
      const page = await api.get<Page<Version> | Version[]>(`/v1/workflows/${enc(workflowId)}/versions`, { limit: 100 })
      const list = Array.isArray(page) ? page : page.data
      return [...list].sort((a, b) => b.version - a.version)
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 405)) return null
      throw err
    }
  }, [workflowId, refresh])
  if (!versions.data) return null
  const list = versions.data
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">Version history</h2>
      <ol className="versions">
        {list.map((v, i) => {
          const older = list[i + 1]
          const changes = older ? summarizeChanges(older.definition ?? older, v.definition ?? v) : ['Created']
          return (
            <li key={v.version}>
              <strong>v{v.version}</strong> <span className="muted">{formatDateTime(v.created_at)}</span>
              <ul>{changes.map((c, j) => <li key={j} className="wrap">{c}</li>)}</ul>
            </li>
          )
        })}
      </ol>
    </section>
  )
}
