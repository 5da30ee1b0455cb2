import { IsInt, IsString, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { DomainError } from '@gpu/common';
import { createValidationPipe } from './validation.pipe';

class GpuDto {
  @IsString()
  model: string;
}

class FarmDto {
  @IsString()
  name: string;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  gpus: number;

  @ValidateNested()
  @Type(() => GpuDto)
  gpu: GpuDto;
}

async function refusal(body: unknown): Promise<DomainError> {
  try {
    await createValidationPipe().transform(body, { type: 'body', metatype: FarmDto });
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('expected the pipe to refuse');
}

describe('the global validation pipe', () => {
  it('passes a valid body through as the DTO class', async () => {
    const value = await createValidationPipe().transform(
      { name: 'Oslo A100', gpus: 8, gpu: { model: 'A100' } },
      { type: 'body', metatype: FarmDto },
    );
    expect(value).toBeInstanceOf(FarmDto);
  });

  it('refuses an extra field such as role or owner instead of dropping it', async () => {
    const error = await refusal({ name: 'x', gpus: 1, gpu: { model: 'A100' }, role: 'admin' });
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toEqual({
      fields: [{ field: 'role', problems: [expect.stringMatching(/should not exist/)] }],
    });
  });

  it('names every bad field, nested ones by path', async () => {
    const error = await refusal({ name: 3, gpus: 0, gpu: { model: 5 } });
    const fields = (error.details!.fields as { field: string }[]).map((f) => f.field);
    expect(fields).toEqual(['name', 'gpus', 'gpu.model']);
  });
});
