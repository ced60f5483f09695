import { OmitType, PartialType } from '@nestjs/swagger';
import { CreateProductDto } from './create-product.dto';

/**
 * Stock is not set here (PATCH /products/:id/stock is): `stock_quantity` in this body is refused.
 * `skipNullProperties: false`: a field left out is left alone, but `null` is refused unless the field may be null (description).
 */
export class UpdateProductDto extends PartialType(OmitType(CreateProductDto, ['stock_quantity'] as const), { skipNullProperties: false }) {}
