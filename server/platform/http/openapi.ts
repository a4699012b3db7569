import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { createJsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import type { OpenAPIV3_1 } from 'openapi-types';

// The API contract: the OpenAPI 3.1 document generated from the zod schemas
// the /api/v1 routes declare (the schemas are the only source), served at
// /api/v1/openapi.json, and a reference page at /api/docs. Both are public:
// they describe the API, not anybody's data. Staff pages, citizen pages and
// the docs' own routes stay out of the document.

export const API_PREFIX = '/api/v1/';
export const DOCS_PREFIX = '/api/docs';

const zodTransform = createJsonSchemaTransform({ skipList: [] });

/**
 * The provider emits every named schema twice, as read (…Input) and as
 * written; a reader wants only those the operations refer to.
 */
function withoutUnusedSchemas(doc: OpenAPIV3_1.Document): OpenAPIV3_1.Document {
  const schemas = doc.components?.schemas ?? {};
  const used = new Set<string>();
  const visit = (node: unknown) => {
    for (const [, name] of (JSON.stringify(node) ?? '').matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      if (name && !used.has(name)) {
        used.add(name);
        visit(schemas[name]);
      }
    }
  };
  visit(doc.paths);
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
  return { ...doc, components: { ...doc.components, schemas: kept } };
}

export default fp(
  async (app) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Hài Lòng API',
          version: '1.0.0',
          description:
            'Survey descriptions, responses from kiosks and other machine clients, one-time codes and ' +
            'satisfaction reports. Every error has the body `ApiError`; README.md lists its codes.',
        },
        components: {
          securitySchemes: {
            apiKey: { type: 'http', scheme: 'bearer', description: 'An API key issued on the staff pages.' },
            staffSession: { type: 'apiKey', in: 'cookie', name: app.sessionCookie.name },
          },
        },
      },
      // Routes outside /api/v1 are never handed to the zod transform: the
      // staff pages' JSON schemas are not zod's, and none of them is API.
      transform: (doc) =>
        doc.url.startsWith(API_PREFIX) ? zodTransform(doc) : { schema: { hide: true }, url: doc.url },
      // Schemas with a .meta({ id }) (ApiError…) become components, referenced by $ref.
      transformObject: (doc) => withoutUnusedSchemas(jsonSchemaTransformObject(doc) as OpenAPIV3_1.Document),
    });
    await app.register(swaggerUi, {
      routePrefix: DOCS_PREFIX,
      // The page loads the document from its own /api/docs/json (the same as /api/v1/openapi.json).
      uiConfig: { deepLinking: true, defaultModelsExpandDepth: 0 },
      theme: { title: 'Hài Lòng API' },
    });
    app.get(`${API_PREFIX}openapi.json`, { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi', dependencies: ['session'] },
);
