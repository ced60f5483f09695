import { ApiProperty } from '@nestjs/swagger';
import type { Actor } from '../../common/actor';
import { ApiActorProperty } from '../../common/actor.dto';
import { iso } from '../../common/dto-helpers';
import { fromCents } from '../../common/money';
import { PageDto } from '../../common/pagination';
import { Order } from '../entities/order.entity';
import { OrderItem } from '../entities/order-item.entity';
import { OrderStatusChange } from '../entities/order-status-change.entity';
import { nextStatuses, ORDER_STATUSES, type OrderStatus } from '../order-status';
import { ID_SCHEMA } from '../../platform/openapi/api-id-param.decorator';

export class OrderItemResponseDto {
  @ApiProperty({ ...ID_SCHEMA, example: 7 }) product_id: number;
  @ApiProperty({ example: 'Espresso beans 1 kg', description: 'Copied when the order was placed' }) product_name: string;
  @ApiProperty({ example: 19.99, description: 'Copied when the order was placed' }) unit_price: number;
  @ApiProperty({ type: 'integer', format: 'int32', example: 3 }) quantity: number;
  @ApiProperty({ example: 59.97 }) line_total: number;
}

export class OrderResponseDto {
  @ApiProperty({ ...ID_SCHEMA, example: 12 }) id: number;
  @ApiProperty({ ...ID_SCHEMA, example: 1 }) customer_id: number;
  @ApiProperty({ enum: ORDER_STATUSES, example: 'pending' }) status: OrderStatus;
  @ApiProperty({ type: [OrderItemResponseDto] }) items: OrderItemResponseDto[];
  @ApiProperty({ example: 59.97, description: 'Exact sum of the line totals' }) total_price: number;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T10:00:00.000Z' }) created_at: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T10:00:00.000Z' }) updated_at: string;
}

export class OrderPageDto extends PageDto {
  @ApiProperty({ type: [OrderResponseDto] }) items: OrderResponseDto[];
}

export class OrderEnvelopeDto {
  @ApiProperty({ example: 'Order placed' }) message: string;
  @ApiProperty() order: OrderResponseDto;
}

export class TrackingEventDto {
  @ApiProperty({ enum: ORDER_STATUSES, example: 'shipped' }) status: OrderStatus;
  @ApiProperty({ example: 'Left the warehouse', nullable: true, type: String }) note: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-25T10:00:00.000Z' }) at: string;
  @ApiActorProperty(
    'Who made the change: the customer or API key that placed, moved or cancelled the order; null on entries recorded before the audit trail existed',
    { type: 'api_key', id: null, name: 'API_KEYS' },
  )
  actor: Actor | null;
}

export class TrackingResponseDto {
  @ApiProperty({ ...ID_SCHEMA, example: 12 }) order_id: number;
  @ApiProperty({ enum: ORDER_STATUSES, example: 'shipped' }) status: OrderStatus;
  @ApiProperty({ example: 'DHL', nullable: true, type: String }) carrier: string | null;
  @ApiProperty({ example: 'JD014600006281234567', nullable: true, type: String }) tracking_number: string | null;
  @ApiProperty({ type: [TrackingEventDto], description: 'Oldest first' }) history: TrackingEventDto[];
  @ApiProperty({ enum: ORDER_STATUSES, isArray: true, example: ['delivered'], description: 'Statuses the order may move to next' })
  next_statuses: OrderStatus[];
}

export function toOrderResponse(order: Order): OrderResponseDto {
  return {
    id: order.id,
    customer_id: order.customerId,
    status: order.status,
    // one line per product, stored in product order: the same order whether just placed or read back
    items: [...order.items].sort((a, b) => a.productId - b.productId).map(toItemResponse),
    total_price: fromCents(order.totalCents),
    created_at: iso(order.createdAt)!,
    updated_at: iso(order.updatedAt)!,
  };
}

function toItemResponse(item: OrderItem): OrderItemResponseDto {
  return {
    product_id: item.productId,
    product_name: item.productName,
    unit_price: fromCents(item.unitPriceCents),
    quantity: item.quantity,
    line_total: fromCents(item.lineTotalCents),
  };
}

export function toTrackingResponse(order: Order, history: OrderStatusChange[]): TrackingResponseDto {
  return {
    order_id: order.id,
    status: order.status,
    carrier: order.carrier,
    tracking_number: order.trackingNumber,
    history: history.map((change) => ({ status: change.status, note: change.note, at: iso(change.createdAt)!, actor: change.actor })),
    next_statuses: [...nextStatuses(order.status)],
  };
}
