import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FarmDocument } from './entities/farm-document.entity';
import { Farm } from './entities/farm.entity';
import { GpuNode } from './entities/gpu-node.entity';
import { FarmsService } from './farms.service';

export const FARM_ENTITIES = [Farm, GpuNode, FarmDocument];

/** Farm listings with their GPU nodes and documents. */
@Module({
  imports: [TypeOrmModule.forFeature(FARM_ENTITIES)],
  providers: [FarmsService],
  exports: [FarmsService],
})
export class FarmsModule {}
