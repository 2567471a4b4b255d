import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import helmet from '@fastify/helmet';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppConfig, createValidationPipe } from '@htx/shared';
import { TraceFastPath, type HookHost } from '@htx/traceability';
import { AppModule } from './app.module';

/** Builds (but does not start listening) the API application for the given configuration. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: 1024 * 1024,
    trustProxy: config.TRUST_PROXY.split(','),
    routerOptions: { maxParamLength: 300 },
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  });
  // The hottest read of the platform, a cached trace document (a QR scan), is answered by a hook that runs ahead
  // of Nest's middleware (request logger, CORS) and pipeline; it is bound to the module's service once the app exists.
  let traceHook: ((req: never, reply: never) => Promise<unknown>) | undefined;
  adapter.getInstance().addHook('onRequest', async (request, reply) => (traceHook ? traceHook(request as never, reply as never) : undefined));
  // Echo the request id so a shopper's or operator's report can be matched to the logs.
  adapter.getInstance().addHook('onRequest', async (request, reply) => {
    if (!/^[\w.-]{1,100}$/.test(request.id)) (request as { id: string }).id = randomUUID();
    void reply.header('x-request-id', request.id);
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, { bufferLogs: true, abortOnError: false });
  app.get(TraceFastPath).install({ addHook: (_name, hook) => (traceHook = hook as typeof traceHook) } as HookHost);
  app.useLogger(app.get(Logger));
  // Security headers; the CSP allows the inline bootstrap of the OpenAPI UI and nothing from elsewhere.
  await app.register(helmet as unknown as Parameters<NestFastifyApplication['register']>[0], {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginResourcePolicy: { policy: 'same-site' },
  });
  // Browsers may call the API only from the storefront's origin (and any configured extra origins).
  app.enableCors({
    origin: config.corsOrigins,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-request-id', 'if-none-match'],
    exposedHeaders: ['x-request-id', 'etag', 'retry-after'],
    maxAge: 600,
  });
  app.setGlobalPrefix('api');
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('HTX Số API')
      .setDescription('Bán hàng, truy xuất nguồn gốc và sàn thương mại điện tử cho hợp tác xã / Sales, traceability and marketplaces for cooperatives')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json', yamlDocumentUrl: 'api/docs-yaml' });
  return app;
}

/**
 * Builds and starts a background-jobs process (PROCESS_ROLE=worker): the same modules as the API, so the BullMQ
 * processors (order payment expiry, payment reconciliation, …) run, but no HTTP server. Stops cleanly on SIGTERM/SIGINT
 * (BullMQ lets the running jobs finish).
 */
export async function createWorker(config: AppConfig): Promise<INestApplicationContext> {
  if (config.PROCESS_ROLE !== 'worker') throw new Error(`createWorker needs PROCESS_ROLE=worker, not ${config.PROCESS_ROLE}`);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  return app;
}
