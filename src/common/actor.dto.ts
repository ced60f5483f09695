import { ApiProperty, getSchemaPath, type SchemaObject } from '@nestjs/swagger';
import { ID_SCHEMA } from '../platform/openapi/api-id-param.decorator';

/*
 * The OpenAPI schema of an Actor (src/common/actor.ts): one component, `Actor`, a oneOf of the three shapes told
 * apart by `type`, registered once by the document (platform/openapi/document.ts) and referenced by every field
 * that names who made a change (ApiActorProperty).
 */

export class ApiKeyActor {
  @ApiProperty({ enum: ['api_key'] }) type: 'api_key';
  @ApiProperty({ ...ID_SCHEMA, example: 4, nullable: true, description: 'The stored key; null for a key from `API_KEYS`' })
  id: number | null;
  @ApiProperty({ example: 'warehouse-service', description: "The key's name; `API_KEYS` for a key from that variable" }) name: string;
}

export class CustomerActor {
  @ApiProperty({ enum: ['customer'] }) type: 'customer';
  @ApiProperty({ ...ID_SCHEMA, example: 1, description: 'The customer, acting on their own order' }) id: number;
}

export class SystemActor {
  @ApiProperty({ enum: ['system'] }) type: 'system';
  @ApiProperty({
    example: 'restock',
    description: 'The scheduled job (`restock`, …), `seed` for npm run seed, `unattributed` for work started by neither',
  })
  name: string;
}

export const ACTOR_MODELS = [ApiKeyActor, CustomerActor, SystemActor];
export const ACTOR_SCHEMA_NAME = 'Actor';

export const ACTOR_SCHEMA: SchemaObject = {
  description: 'Who made a change: an API key, a customer, or the system (a scheduled job)',
  oneOf: ACTOR_MODELS.map((model) => ({ $ref: getSchemaPath(model) })),
  discriminator: {
    propertyName: 'type',
    mapping: { api_key: getSchemaPath(ApiKeyActor), customer: getSchemaPath(CustomerActor), system: getSchemaPath(SystemActor) },
  },
};

/** A field holding an Actor, or null for what was recorded before the audit trail existed. */
export const ApiActorProperty = (description: string, example: object | null = { type: 'customer', id: 1 }) =>
  ApiProperty({ allOf: [{ $ref: getSchemaPath(ACTOR_SCHEMA_NAME) }], nullable: true, description, example });
