import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChainModule } from '@gpu/chain';
import { FarmToken } from './entities/farm-token.entity';
import { TokenizationListener } from './jobs/tokenization.listener';
import { DecideTokenization } from './use-cases/decide-tokenization';
import { RequestTokenization } from './use-cases/request-tokenization';
import { FarmDocument } from './entities/farm-document.entity';
import { Farm } from './entities/farm.entity';
import { GpuNode } from './entities/gpu-node.entity';
import { FarmsService } from './farms.service';

export const FARM_ENTITIES = [Farm, GpuNode, FarmDocument, FarmToken];

/** Farm listings with their GPU nodes and documents. */
@Module({
  imports: [TypeOrmModule.forFeature(FARM_ENTITIES), ChainModule],
  providers: [FarmsService, RequestTokenization, DecideTokenization],
  exports: [FarmsService, RequestTokenization, DecideTokenization],
})
export class FarmsModule {}

/** The farms' chain outcomes (tokenization); only the worker imports it. */
@Module({
  imports: [FarmsModule],
  providers: [TokenizationListener],
})
export class FarmsWorkerModule {}
