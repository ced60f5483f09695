import type { Type } from '@nestjs/common';
import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { ApiActorProperty } from '../../common/actor.dto';
import { CustomerResponseDto } from '../../customers/dto/customer-response.dto';
import { StockMovementDto } from '../../inventory/dto/stock-movement-response.dto';
import { OrderResponseDto } from '../../orders/dto/order-response.dto';
import { ORDER_STATUSES, type OrderStatus } from '../../orders/order-status';
import { ID_SCHEMA } from '../../platform/openapi/api-id-param.decorator';
import { ProductResponseDto } from '../../products/dto/product-response.dto';
import { ReplenishmentResponseDto } from '../../replenishment/dto/replenishment-response.dto';
import type { Actor, EventType } from '../event';

/*
 * The OpenAPI schema of each event type: the envelope every event shares, with `type` fixed and `data` the shape
 * that type carries. The feed's items and webhook bodies are one of these (discriminated by `type`).
 */

export class OrderStatusChangedData extends OrderResponseDto {
  @ApiProperty({ enum: ORDER_STATUSES, example: 'processing' }) from: OrderStatus;
  @ApiProperty({ enum: ORDER_STATUSES, example: 'shipped' }) to: OrderStatus;
  @ApiProperty({ example: 'DHL', nullable: true, type: String }) carrier: string | null;
  @ApiProperty({ example: 'JD014600006281234567', nullable: true, type: String }) tracking_number: string | null;
}

export class OrderCancelledData extends OrderResponseDto {
  @ApiProperty({ example: 'Customer changed their mind', nullable: true, type: String }) reason: string | null;
}

export class StockChangedData extends StockMovementDto {
  @ApiProperty({ ...ID_SCHEMA, example: 7 }) product_id: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 40, description: "The product's quantity after the movement" })
  quantity: number;
}

export class StockLowData {
  @ApiProperty({ ...ID_SCHEMA, example: 7 }) product_id: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 9 }) quantity: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 10 }) reorder_threshold: number;
}

export class ReplenishmentReceivedData extends ReplenishmentResponseDto {
  @ApiProperty({ type: 'integer', format: 'int32', example: 10, description: 'Units this receipt added' }) received_now: number;
}

export class EventSubjectDto {
  @ApiProperty({ enum: ['order', 'product', 'customer', 'replenishment'], example: 'order' }) type: string;
  @ApiProperty({ ...ID_SCHEMA, example: 42 }) id: number;
}

/** What every event carries besides its `type` and `data`. */
export abstract class EventEnvelope {
  @ApiProperty({
    example: 'evt_3f1c2c8e5d5b4f7e9a570a4a1d3b2e11',
    description: 'Unique; consumers deduplicate by it (delivery is at least once)',
  })
  id: string;
  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ type: EventSubjectDto }) subject: EventSubjectDto;
  @ApiActorProperty(
    'Who made the change: the API key or customer of the request, or the system job; null on events from before the audit trail',
    { type: 'system', name: 'restock' },
  )
  actor: Actor | null;
  @ApiProperty({
    example: '5f0c6a0e-2b7e-4a43-9d51-1c7f3f0f6a2b',
    nullable: true,
    type: String,
    description:
      'The `X-Request-Id` of the request that made the change (also sent as the `X-Request-Id` header of webhook deliveries); null for scheduled work',
  })
  request_id: string | null;
}

export class OrderCreatedEvent extends EventEnvelope {
  @ApiProperty({ enum: ['order.created'] }) type: 'order.created';
  @ApiProperty({ type: OrderResponseDto, description: 'The order as placed' }) data: OrderResponseDto;
}

export class OrderStatusChangedEvent extends EventEnvelope {
  @ApiProperty({ enum: ['order.status_changed'] }) type: 'order.status_changed';
  @ApiProperty({ type: OrderStatusChangedData }) data: OrderStatusChangedData;
}

export class OrderCancelledEvent extends EventEnvelope {
  @ApiProperty({ enum: ['order.cancelled'] }) type: 'order.cancelled';
  @ApiProperty({ type: OrderCancelledData }) data: OrderCancelledData;
}

export class StockChangedEvent extends EventEnvelope {
  @ApiProperty({ enum: ['stock.changed'] }) type: 'stock.changed';
  @ApiProperty({
    type: StockChangedData,
    description: 'The movement, with the product and its quantity after it; `subject` is the product',
  })
  data: StockChangedData;
}

export class StockLowEvent extends EventEnvelope {
  @ApiProperty({ enum: ['stock.low'] }) type: 'stock.low';
  @ApiProperty({ type: StockLowData, description: 'A movement took the quantity from above the reorder threshold to at or below it' })
  data: StockLowData;
}

export class ProductCreatedEvent extends EventEnvelope {
  @ApiProperty({ enum: ['product.created'] }) type: 'product.created';
  @ApiProperty({ type: ProductResponseDto }) data: ProductResponseDto;
}

export class ProductUpdatedEvent extends EventEnvelope {
  @ApiProperty({ enum: ['product.updated'] }) type: 'product.updated';
  @ApiProperty({ type: ProductResponseDto }) data: ProductResponseDto;
}

export class ProductDeletedEvent extends EventEnvelope {
  @ApiProperty({ enum: ['product.deleted'] }) type: 'product.deleted';
  @ApiProperty({ type: ProductResponseDto, description: 'The product as it was' }) data: ProductResponseDto;
}

export class CustomerCreatedEvent extends EventEnvelope {
  @ApiProperty({ enum: ['customer.created'] }) type: 'customer.created';
  @ApiProperty({ type: CustomerResponseDto }) data: CustomerResponseDto;
}

export class CustomerUpdatedEvent extends EventEnvelope {
  @ApiProperty({ enum: ['customer.updated'] }) type: 'customer.updated';
  @ApiProperty({ type: CustomerResponseDto }) data: CustomerResponseDto;
}

export class CustomerDeletedEvent extends EventEnvelope {
  @ApiProperty({ enum: ['customer.deleted'] }) type: 'customer.deleted';
  @ApiProperty({ type: CustomerResponseDto, description: 'The customer as it was (never account secrets)' }) data: CustomerResponseDto;
}

export class ReplenishmentCreatedEvent extends EventEnvelope {
  @ApiProperty({ enum: ['replenishment.created'] }) type: 'replenishment.created';
  @ApiProperty({ type: ReplenishmentResponseDto }) data: ReplenishmentResponseDto;
}

export class ReplenishmentReceivedEvent extends EventEnvelope {
  @ApiProperty({ enum: ['replenishment.received'] }) type: 'replenishment.received';
  @ApiProperty({ type: ReplenishmentReceivedData, description: 'The order after the receipt, and what this receipt added' })
  data: ReplenishmentReceivedData;
}

export class ReplenishmentCancelledEvent extends EventEnvelope {
  @ApiProperty({ enum: ['replenishment.cancelled'] }) type: 'replenishment.cancelled';
  @ApiProperty({ type: ReplenishmentResponseDto }) data: ReplenishmentResponseDto;
}

/** Every event type's schema; a type added to EVENT_TYPES without one here does not compile. */
export const EVENT_SCHEMAS: Record<EventType, Type<unknown>> = {
  'order.created': OrderCreatedEvent,
  'order.status_changed': OrderStatusChangedEvent,
  'order.cancelled': OrderCancelledEvent,
  'stock.changed': StockChangedEvent,
  'stock.low': StockLowEvent,
  'product.created': ProductCreatedEvent,
  'product.updated': ProductUpdatedEvent,
  'product.deleted': ProductDeletedEvent,
  'customer.created': CustomerCreatedEvent,
  'customer.updated': CustomerUpdatedEvent,
  'customer.deleted': CustomerDeletedEvent,
  'replenishment.created': ReplenishmentCreatedEvent,
  'replenishment.received': ReplenishmentReceivedEvent,
  'replenishment.cancelled': ReplenishmentCancelledEvent,
};

export const EVENT_SCHEMA_MODELS = Object.values(EVENT_SCHEMAS);

/** One event of any type, told apart by `type`: for `items` of the feed and for documenting webhook bodies. */
export const ANY_EVENT_SCHEMA = {
  oneOf: EVENT_SCHEMA_MODELS.map((model) => ({ $ref: getSchemaPath(model) })),
  discriminator: {
    propertyName: 'type',
    mapping: Object.fromEntries(Object.entries(EVENT_SCHEMAS).map(([type, model]) => [type, getSchemaPath(model)])),
  },
};
