import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { ConflictError, ValidationError } from '../../domain/errors.js'
import { idProblem } from '../../domain/ids.js'
import { localeSchema } from '../../domain/locale.js'
import { phoneSchema } from '../../domain/phone.js'
import { timeZoneSchema } from '../../domain/time-zone.js'
import { customerExists, listNotes, getCustomer, listCustomers, upsertCustomer } from '../../store/repos/customers.js'
import { pageRequest } from '../../store/page.js'
import { createProduct, getProduct, listProducts, productExists, updateProduct } from '../../store/repos/products.js'
import type { HttpDeps } from '../deps.js'
import { documented, ID_PARAM, pageQuery } from '../route-doc.js'
import { parseBody, query } from '../validate.js'

export const productInput = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/, 'must be 1-128 letters, digits, ".", ":", "-" or "_"').optional(),
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
})
const productPatch = z.strictObject({ name: z.string().min(1).max(200).optional(), description: z.string().max(2000).nullable().optional(), archived: z.boolean().optional() })

export const customerInput = z.strictObject({
  email: z.email('must be an email address').nullable().optional(),
  phone: phoneSchema.nullable().optional(),
  name: z.string().max(500).nullable().optional(),
  time_zone: timeZoneSchema.nullable().optional(),
  /** BCP 47 language tag for messages and portal pages (`de`, `es-MX`); null: the default. */
  locale: localeSchema.nullable().optional(),
  tags: z.array(z.string().min(1).max(100)).max(200).optional(),
  fields: z.record(z.string().min(1).max(100), z.unknown()).optional(),
  sms_opt_out: z.boolean().optional(),
  email_opt_out: z.boolean().optional(),
})

const productsQuery = pageQuery.extend({
  archived: z.enum(['true', 'false']).optional().describe('true: archived products too'),
  include_archived: z.enum(['true', 'false']).optional().describe('The same as archived'),
})
const customersQuery = pageQuery.extend({ tag: z.string().optional().describe('Only customers with this tag') })

/** Products and customers. */
export function catalogRoutes(app: FastifyInstance, d: HttpDeps): void {
  app.post('/v1/products', documented({ summary: 'Create a product', body: productInput, ok: 201 }), async (req, reply) => {
    const input = parseBody(productInput, req.body, 'product')
    if (input.id) {
      if (await productExists(d.db, input.id)) throw new ConflictError(`Product "${input.id}" already exists`)
    }
    const product = await createProduct(d.db, input)
    d.catalog.invalidate()
    return reply.code(201).send(product)
  })
  app.get('/v1/products', documented({ summary: 'List products (?archived=true includes archived ones)', query: productsQuery }), async (req) => {
    const q = query(req)
    return listProducts(d.db, { ...pageRequest(q), includeArchived: q.archived === 'true' || q.include_archived === 'true' })
  })
  app.get<{ Params: { id: string } }>('/v1/products/:id', documented({ summary: 'Read a product', params: ID_PARAM }), async (req) => getProduct(d.db, req.params.id))
  app.patch<{ Params: { id: string } }>('/v1/products/:id', documented({ summary: 'Change a product (archived: false brings it back)', body: productPatch, params: ID_PARAM }), async (req) => {
    const product = await updateProduct(d.db, req.params.id, parseBody(productPatch, req.body, 'product'))
    d.catalog.invalidate()
    return product
  })
  app.delete<{ Params: { id: string } }>('/v1/products/:id', documented({ summary: 'Archive a product (returns it)', params: ID_PARAM }), async (req) => {
    const product = await updateProduct(d.db, req.params.id, { archived: true })
    d.catalog.invalidate()
    return product
  })

  app.put<{ Params: { id: string } }>('/v1/customers/:id', documented({
    summary: 'Create or update a customer (fields left out keep their value)',
    body: customerInput,
    params: { id: 'Your id for the customer' },
    also: { 201: 'Created' },
  }), async (req, reply) => {
    const badId = idProblem(req.params.id)
    if (badId) throw new ValidationError('The customer id is not valid', [{ path: 'id', message: badId }])
    const input = parseBody(customerInput, req.body, 'customer')
    const existed = await customerExists(d.db, req.params.id)
    const customer = await upsertCustomer(d.db, req.params.id, input)
    return reply.code(existed ? 200 : 201).send({ ...customer, notes: await listNotes(d.db, customer.id) })
  })
  app.get<{ Params: { id: string } }>('/v1/customers/:id', documented({ summary: 'Read a customer with notes', params: ID_PARAM }), async (req) => {
    const customer = await getCustomer(d.db, req.params.id)
    return { ...customer, notes: await listNotes(d.db, customer.id) }
  })
  app.get('/v1/customers', documented({ summary: 'List customers (?tag=)', query: customersQuery }), async (req) => {
    const q = query(req)
    return listCustomers(d.db, { ...pageRequest(q), tag: q.tag })
  })
}
