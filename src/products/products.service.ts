import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { likePattern } from '../common/dto-helpers';
import { toCents } from '../common/money';
import { Page, toPage } from '../common/pagination';
import { badRequest, notFound } from '../common/problem';
import { TransactionRunner } from '../database/transaction-runner';
import { InventoryService } from '../inventory/inventory.service';
import { CreateProductDto } from './dto/create-product.dto';
import { ListProductsQueryDto } from './dto/list-products.dto';
import { ProductResponseDto, toProductResponse } from './dto/product-response.dto';
import { UpdateProductDto } from './dto/update-product.dto';
import { Product } from './entities/product.entity';

export const ProductErrors = { NOT_FOUND: 'PRODUCT_NOT_FOUND', EMPTY_UPDATE: 'EMPTY_UPDATE' } as const;

@Injectable()
export class ProductsService {
  constructor(
    @InjectRepository(Product) private readonly products: Repository<Product>,
    private readonly inventory: InventoryService,
    private readonly tx: TransactionRunner,
  ) {}

  async create(dto: CreateProductDto): Promise<ProductResponseDto> {
    const product = await this.tx.run(async (manager) => {
      const saved = await manager.save(
        manager.create(Product, {
          name: dto.name,
          description: dto.description ?? null,
          priceCents: toCents(dto.price),
          stockQuantity: dto.stock_quantity ?? 0,
          reorderThreshold: dto.reorder_threshold ?? 0,
          reorderQuantity: dto.reorder_quantity ?? 0,
        }),
      );
      await this.inventory.recordInitial(manager, saved.id, saved.stockQuantity);
      return this.get(manager, saved.id);
    });
    return toProductResponse(product);
  }

  async list(query: ListProductsQueryDto): Promise<Page<ProductResponseDto>> {
    const qb = this.products.createQueryBuilder('p').orderBy('p.id', 'ASC').take(query.limit).skip(query.offset);
    if (query.search) {
      qb.andWhere("(p.name LIKE :text ESCAPE '!' OR p.description LIKE :text ESCAPE '!')", { text: likePattern(query.search) });
    }
    if (query.in_stock !== undefined) qb.andWhere(query.in_stock ? 'p.stock_quantity > 0' : 'p.stock_quantity = 0');
    return toPage(await qb.getManyAndCount(), query, toProductResponse);
  }

  async findOne(id: number): Promise<ProductResponseDto> {
    return toProductResponse(await this.get(this.products.manager, id));
  }

  async update(id: number, dto: UpdateProductDto): Promise<ProductResponseDto> {
    if (!Object.keys(dto).length) {
      throw badRequest(ProductErrors.EMPTY_UPDATE, 'Send at least one of name, price, description, reorder_threshold, reorder_quantity');
    }
    const product = await this.tx.run(async (manager) => {
      await this.get(manager, id);
      // only the named columns: stock_quantity is never written here, so a concurrent order cannot be undone
      await manager.update(Product, { id }, {
        ...(dto.name !== undefined && { name: dto.name }),
        ...(dto.price !== undefined && { priceCents: toCents(dto.price) }),
        ...(dto.description !== undefined && { description: dto.description }),
        ...(dto.reorder_threshold !== undefined && { reorderThreshold: dto.reorder_threshold }),
        ...(dto.reorder_quantity !== undefined && { reorderQuantity: dto.reorder_quantity }),
      });
      return this.get(manager, id);
    });
    return toProductResponse(product);
  }

  /** Soft delete: reads answer 404, past orders keep the name and price they copied, the ledger stays. */
  async remove(id: number): Promise<void> {
    await this.tx.run(async (manager) => {
      await this.get(manager, id);
      await manager.softDelete(Product, { id });
    });
  }

  private async get(manager: EntityManager, id: number): Promise<Product> {
    const product = await manager.findOne(Product, { where: { id } });
    if (!product) throw notFound(ProductErrors.NOT_FOUND, `Product ${id} not found`);
    return product;
  }
}
