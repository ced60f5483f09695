import { Module } from '@nestjs/common';

/** Orders: placement, tracking, history and cancellation (filled by the orders work). */
@Module({})
export class OrdersModule {}
