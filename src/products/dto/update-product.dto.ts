import { OmitType, PartialType } from '@nestjs/swagger';
import { CreateProductDto } from './create-product.dto';

/** Stock is not set here (PATCH /products/:id/stock is): `stock_quantity` in this body is refused. */
export class UpdateProductDto extends PartialType(OmitType(CreateProductDto, ['stock_quantity'] as const)) {}
