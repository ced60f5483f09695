import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { CommonErrors } from '../common/common.errors';
import { problem } from '../common/problem';

/** Leaves path params as the raw strings: ParseIdPipe must see "1e3", not the 1000 that Number() makes of it. */
class AppValidationPipe extends ValidationPipe {
  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    return metadata.type === 'param' ? value : super.transformPrimitive(value, metadata);
  }
}

/** The global pipe: unknown fields are refused, types converted, every failure named per field. */
export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fieldErrors = flatten(errors);
      return problem(CommonErrors.VALIDATION_FAILED, `Invalid input: ${fieldErrors.map((e) => e.message).join('; ')}`, fieldErrors);
    },
  });
}

function flatten(errors: ValidationError[], prefix = ''): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message: qualify(message, field, error.property) }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** class-validator names the bare property ("quantity must be ..."); name the full path instead. */
function qualify(message: string, field: string, property: string): string {
  if (message.startsWith('property ')) return message.replace(`property ${property}`, `property ${field}`);
  return message.startsWith(property) ? field + message.slice(property.length) : message;
}
