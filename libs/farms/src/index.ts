export * from './entities/farm-document.entity';
export * from './entities/farm.entity';
export * from './entities/gpu-node.entity';
export * from './farm-lifecycle';
export * from './farms.errors';
export * from './farms.module';
export * from './farms.service';
