import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { MetricsRegistry } from '@gpu/observability';
import { ErrorResponseFilter } from './error-response.filter';
import { refuseUnsafeInput } from './input-guard';
import { createValidationPipe } from './validation.pipe';

/** Everything main() and the end-to-end tests both need: pipes, errors, logs, metrics, docs. */
export function configureApp(app: NestFastifyApplication): void {
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ErrorResponseFilter());
  app.enableShutdownHooks();

  refuseUnsafeInput(app.getHttpAdapter().getInstance());

  const metrics = app.get(MetricsRegistry);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, reply, done) => {
      metrics.httpRequestDuration.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status: reply.statusCode,
        },
        reply.elapsedTime / 1000,
      );
      done();
    });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('GPU farm RWA API')
      .setDescription(
        'Tokenized GPU compute: farms as permissioned tokens, uptime proofs, revenue distribution.',
      )
      .setVersion('0.1.0')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
