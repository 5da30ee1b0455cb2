import { ValidateBy, type ValidationOptions } from 'class-validator';

/** A decimal integer string (no sign, no leading zeros) from 0 to `max`. */
export function IsIntegerStringUpTo(max: bigint, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIntegerStringUpTo',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          /^(0|[1-9][0-9]*)$/.test(value) &&
          value.length <= max.toString().length &&
          BigInt(value) <= max,
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be an integer string from 0 to ${max}`,
      },
    },
    options,
  );
}
