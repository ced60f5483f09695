import { ArgumentMetadata, Type, ValidationError, ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';
import { CommonErrors } from '../common/common.errors';
import { problem } from '../common/problem';
import { type Recogniser, validationFastPaths } from './validation-fast-path';

class AppValidationPipe extends ValidationPipe {
  constructor(
    private readonly fastPaths: ReadonlyMap<Type, Recogniser>,
    options: ValidationPipeOptions,
  ) {
    super(options);
  }

  /** Plainly valid input to a DTO with a ValidationFastPath is taken as recognised; all else is validated. */
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // custom parameter decorators are not validated (validateCustomDecorators is off), so not recognised either
    const recognise = metadata.type !== 'custom' && metadata.metatype ? this.fastPaths.get(metadata.metatype) : undefined;
    return recognise?.(value) ?? super.transform(value, metadata);
  }

  /** Leaves path params as the raw strings: ParseIdPipe must see "1e3", not the 1000 that Number() makes of it. */
  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    return metadata.type === 'param' ? value : super.transformPrimitive(value, metadata);
  }
}

/**
 * The global pipe: unknown fields are refused, types converted, every failure named per field. `fastPaths` is
 * there for the spec, which compares the pipe with and without them.
 */
export function createValidationPipe(fastPaths = validationFastPaths): ValidationPipe {
  return new AppValidationPipe(fastPaths, {
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
