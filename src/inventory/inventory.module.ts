import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Product } from '../products/entities/product.entity';
import { StockMovement } from './entities/stock-movement.entity';
import { InventoryController } from './inventory.controller';
import { InventoryService } from './inventory.service';
import { RestockJob } from './restock.job';

@Module({
  imports: [TypeOrmModule.forFeature([Product, StockMovement])],
  controllers: [InventoryController],
  providers: [InventoryService, RestockJob],
  exports: [InventoryService],
})
export class InventoryModule {}
