/**
 * Request-body schemas: the same objects validate requests (Fastify's Ajv) and describe them in
 * /openapi.json, so the document cannot drift from what the server accepts.
 */

export function moderationRequestSchema(maxItems: number) {
  return {
    type: 'object',
    required: ['input'],
    properties: {
      input: {
        description: `One text, or an array of 1–${maxItems} texts; each is scored as the record {"text": …} and gets one result, in order.`,
        type: ['string', 'array'],
        items: { type: 'string' },
        minItems: 1,
        maxItems,
      },
      model: { type: 'string', description: 'Accepted for compatibility with OpenAI clients and ignored.' },
    },
  } as const;
}

export function scoreRequestSchema(maxItems: number) {
  return {
    description: `One NFT record (an object), or an array of 1–${maxItems} records. Array elements that are not scoreable records (not objects, no text field) get an error record in their place.`,
    type: ['object', 'array'],
    minItems: 1,
    maxItems,
  } as const;
}
