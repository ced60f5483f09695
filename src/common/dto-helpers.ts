import { Transform } from 'class-transformer';
import { buildMessage, ValidateBy, ValidateIf } from 'class-validator';
import { isMoneyAmount } from './money';

/**
 * For an optional field that cannot be null: omitted, it is not validated; sent as `null`, it is validated like
 * any other value and so refused by its @IsInt(), @IsString()… @IsOptional() would let the null through to a
 * NOT NULL column (a 500) or into arithmetic. Fields that may be cleared (description, phone_number) keep @IsOptional().
 * Update DTOs get the same from `PartialType(CreateXDto, { skipNullProperties: false })`.
 */
export const IsOptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);

/** Trims surrounding white space from string input (non-strings pass through to fail validation). */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

const QUERY_INT = /^\d{1,10}$/;

/**
 * Integer query parameters (`limit`, `offset`, ids) are plain decimal digits: anything else (`0x10`, `1e1`, `-1`,
 * `1.0`, ` 5`, an empty value, a repeated parameter) stays as sent and fails @IsInt(). Number() would read hex
 * and exponents. More than 10 digits stays a string too, beyond any bound and before any precision loss.
 */
export const QueryInt = () => Transform(({ value }) => (typeof value === 'string' && QUERY_INT.test(value) ? Number(value) : value));

/** A query integer as QueryInt reads it, if @IsInt() @Min(min) @Max(max) then accept it; else undefined. */
export function queryInt(value: string, min: number, max: number): number | undefined {
  if (!QUERY_INT.test(value)) return undefined;
  const parsed = Number(value);
  return parsed >= min && parsed <= max ? parsed : undefined;
}

/**
 * Money in currency units with at most 2 decimals (see isMoneyAmount). Replaces @IsNumber({ maxDecimalPlaces }),
 * which counts decimals in String(value) and throws on exponent notation ({"price": 1e-7} was a 500).
 */
export const IsMoney = () =>
  ValidateBy({
    name: 'isMoney',
    validator: {
      validate: (value) => isMoneyAmount(value),
      defaultMessage: buildMessage((each) => `${each}$property must be a number with at most 2 decimals`),
    },
  });

/** A finite number with at most `places` decimals, judged by its value like IsMoney (exponent notation never crashes it). */
export const HasAtMostDecimals = (places: number) =>
  ValidateBy({
    name: 'hasAtMostDecimals',
    validator: {
      validate: (value) => typeof value === 'number' && Number.isFinite(value) && Number(value.toFixed(places)) === value,
      defaultMessage: buildMessage((each) => `${each}$property must be a number with at most ${places} decimals`),
    },
  });

/** `?flag=true|false` query values as booleans; anything else stays a string and fails @IsBoolean. */
export const QueryBoolean = () => Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

/**
 * A LIKE pattern matching `text` literally anywhere; use with `LIKE :p ESCAPE '!'`. The escape character is
 * `!` because a backslash means different things inside SQLite and MySQL string literals.
 */
export function likePattern(text: string): string {
  return `%${text.replace(/[!%_]/g, (ch) => `!${ch}`)}%`;
}

export const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);
