import { Transform } from 'class-transformer';
import { ValidateIf } from 'class-validator';

/**
 * For an optional field that cannot be null: omitted, it is not validated; sent as `null`, it is validated like
 * any other value and so refused by its @IsInt(), @IsString()… @IsOptional() would let the null through to a
 * NOT NULL column (a 500) or into arithmetic. Fields that may be cleared (description, phone_number) keep @IsOptional().
 * Update DTOs get the same from `PartialType(CreateXDto, { skipNullProperties: false })`.
 */
export const IsOptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);

/** Trims surrounding white space from string input (non-strings pass through to fail validation). */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** `?flag=true|false` query values as booleans; anything else stays a string and fails @IsBoolean. */
export const QueryBoolean = () =>
  Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

/**
 * A LIKE pattern matching `text` literally anywhere; use with `LIKE :p ESCAPE '!'`. The escape character is
 * `!` because a backslash means different things inside SQLite and MySQL string literals.
 */
export function likePattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (ch) => `!${ch}`)}%`;
}

export const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);
