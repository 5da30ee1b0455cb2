import { Global, Module } from '@nestjs/common';
import { LoggingModule } from './logging.module';
import { MetricsRegistry } from './metrics.registry';

@Global()
@Module({
  imports: [LoggingModule],
  providers: [MetricsRegistry],
  exports: [MetricsRegistry],
})
export class ObservabilityModule {}
