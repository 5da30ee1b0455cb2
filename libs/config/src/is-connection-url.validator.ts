import { ValidateBy, ValidationOptions, buildMessage } from 'class-validator';

/** True when `value` parses as a URL with one of `protocols` and a host. */
export function isConnectionUrl(value: unknown, protocols: readonly string[]): boolean {
  if (typeof value !== 'string' || value.trim() !== value || value === '') return false;
  try {
    const url = new URL(value);
    return protocols.includes(url.protocol) && url.hostname !== '';
  } catch {
    return false;
  }
}

export function IsConnectionUrl(
  protocols: readonly string[],
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isConnectionUrl',
      constraints: [protocols],
      validator: {
        validate: (value: unknown) => isConnectionUrl(value, protocols),
        defaultMessage: buildMessage(
          (each) =>
            `${each}$property must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`,
          options,
        ),
      },
    },
    options,
  );
}
