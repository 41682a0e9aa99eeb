import { createContext, useContext } from 'react'
import type { Product } from '../../lib/types'
import type { Catalog } from '../../lib/catalog'
import type { TriggerType } from '../../lib/workflow-draft'

export interface BuilderInfo {
  triggerType: TriggerType
  products: readonly Product[]
  /** Step ids used anywhere in the workflow, so new steps get unique ids. */
  stepIds: ReadonlySet<string>
  /** What workflows are built from (GET /v1/catalog); null until it has loaded. */
  catalog: Catalog | null
}

export const Builder = createContext<BuilderInfo>({ triggerType: 'payment.failed', products: [], stepIds: new Set(), catalog: null })

/** What the builder's nested forms need to know about the whole workflow. */
export const useBuilder = () => useContext(Builder)
