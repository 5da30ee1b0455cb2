import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@gpu/config';
import { dataSourceOptions } from './data-source-options';

@Module({})
export class DatabaseModule {
  /** One connection pool per process; entities are registered by each library's forFeature. */
  static forRoot(applicationName: string): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            ...dataSourceOptions({
              url: config.DATABASE_URL,
              entities: [],
              applicationName,
              poolSize: config.DATABASE_POOL_SIZE,
            }),
            autoLoadEntities: true,
            retryAttempts: 2,
            retryDelay: 1000,
          }),
        }),
      ],
    };
  }
}
