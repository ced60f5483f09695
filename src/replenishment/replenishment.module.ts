import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InventoryModule } from '../inventory/inventory.module';
import { ProductsModule } from '../products/products.module';
import { Replenishment } from './entities/replenishment.entity';
import { ReplenishmentController } from './replenishment.controller';
import { ReplenishmentMetrics } from './replenishment.metrics';
import { ReplenishmentService } from './replenishment.service';

/** Owns `replenishments`; receipts go into stock through InventoryService, incoming units through ProductsService. */
@Module({
  imports: [TypeOrmModule.forFeature([Replenishment]), ProductsModule, InventoryModule],
  controllers: [ReplenishmentController],
  providers: [ReplenishmentService, ReplenishmentMetrics],
  exports: [ReplenishmentService],
})
export class ReplenishmentModule {}
