import { Readable } from 'node:stream';
import { Controller, Get, Param, type PipeTransform, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@gpu/common';
import type { Principal } from '@gpu/identity';
import { UptimeService, type UptimeViewer } from '@gpu/oracle';
import { CurrentPrincipal, Roles } from '../auth/access-policy';
import { PageQuery } from '../http/page.query';
import { uuidPipe } from '../http/uuid.pipe';
import {
  FarmUptimeResponse,
  SampleExportQuery,
  UptimeEpochDetailResponse,
  UptimeEpochPage,
  toFarmUptimeResponse,
  toGpuEpochResponse,
  toUptimeEpochResponse,
} from './dto/uptime.dto';

/** An epoch number in the path: a decimal integer that Postgres' bigint holds. */
const epochPipe: PipeTransform<string, bigint> = {
  transform(value: string): bigint {
    if (!/^[0-9]{1,19}$/.test(value) || BigInt(value) >= 2n ** 63n) {
      throw new DomainError(
        'INVALID_EPOCH',
        'invalid',
        'The epoch in the path must be an integer below 2^63',
      );
    }
    return BigInt(value);
  },
};

const viewerOf = (principal: Principal): UptimeViewer => ({
  userId: principal.userId,
  role: principal.role,
});

const READERS = ['investor', 'operator', 'compliance', 'admin'] as const;

/**
 * What the uptime oracle saw: operators for their own farms, staff for all, investors for every
 * tokenized farm (the evidence behind what they are paid).
 */
@ApiTags('uptime')
@ApiBearerAuth()
@Controller('farms/:id/uptime')
export class UptimeController {
  constructor(private readonly uptime: UptimeService) {}

  @Get()
  @Roles(READERS, 'farms:read')
  @ApiOperation({ summary: "Each GPU's latest sample: up or down (with the reason) and readings" })
  @ApiOkResponse({ type: FarmUptimeResponse })
  async status(
    @Param('id', uuidPipe) farmId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<FarmUptimeResponse> {
    return toFarmUptimeResponse(await this.uptime.status(viewerOf(principal), farmId));
  }

  @Get('epochs')
  @Roles(READERS, 'farms:read')
  @ApiOperation({
    summary: 'Uptime history: the epoch reports, newest first, with signatures and on-chain state',
  })
  @ApiOkResponse({ type: UptimeEpochPage })
  async epochs(
    @Param('id', uuidPipe) farmId: string,
    @Query() page: PageQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UptimeEpochPage> {
    const { items, total } = await this.uptime.epochs(viewerOf(principal), farmId, page);
    return { items: items.map(toUptimeEpochResponse), total, ...page };
  }

  @Get('epochs/:epoch')
  @Roles(READERS, 'farms:read')
  @ApiOperation({ summary: "One epoch's report with each GPU's uptime and GPU-hours" })
  @ApiOkResponse({ type: UptimeEpochDetailResponse })
  async epoch(
    @Param('id', uuidPipe) farmId: string,
    @Param('epoch', epochPipe) epoch: bigint,
    @CurrentPrincipal() principal: Principal,
  ): Promise<UptimeEpochDetailResponse> {
    const { report, gpus } = await this.uptime.epoch(viewerOf(principal), farmId, epoch);
    return { ...toUptimeEpochResponse(report), gpuEpochs: gpus.map(toGpuEpochResponse) };
  }

  @Get('epochs/:epoch/samples')
  @Roles(READERS, 'farms:read')
  @ApiOperation({
    summary:
      "The epoch's samples, streamed: CSV is the canonical export (its SHA-256 is the report's samplesHash), NDJSON adds the detail",
  })
  @ApiProduces('text/csv', 'application/x-ndjson')
  async samples(
    @Param('id', uuidPipe) farmId: string,
    @Param('epoch', epochPipe) epoch: bigint,
    @Query() query: SampleExportQuery,
    @CurrentPrincipal() principal: Principal,
  ): Promise<StreamableFile> {
    const chunks = await this.uptime.exportSamples(
      viewerOf(principal),
      farmId,
      epoch,
      query.format,
    );
    const csv = query.format === 'csv';
    return new StreamableFile(Readable.from(chunks), {
      type: csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      disposition: `attachment; filename="uptime-${farmId}-${epoch}.${csv ? 'csv' : 'ndjson'}"`,
    });
  }
}
