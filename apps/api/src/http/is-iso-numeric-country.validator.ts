import { registerDecorator, type ValidationOptions } from 'class-validator';
import { isValid } from 'i18n-iso-countries';

/** An ISO 3166-1 numeric code of a country that exists (276 Germany), as a JSON integer. */
export function IsIsoNumericCountry(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isIsoNumericCountry',
      target: target.constructor,
      propertyName: String(propertyName),
      options: {
        message: `${String(propertyName)} must be an ISO 3166-1 numeric country code`,
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          Number.isInteger(value) &&
          (value as number) > 0 &&
          isValid(String(value).padStart(3, '0')),
      },
    });
}
