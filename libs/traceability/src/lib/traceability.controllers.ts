import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '@htx/shared';
import { Auth, cooperativeScope, CurrentUser } from '@htx/identity';
import { CoopPageQuery, CooperativeQuery, CreateLocationDto, CreatePlotDto, CreateProducerDto, EventQueryDto, LabelsQuery, QrQuery, RecallDto, RecordEventDto } from './dto';
import { EpcisService } from './epcis.service';
import { TraceManageService } from './manage.service';
import { ScanService } from './scans.service';
import { TracePublicService } from './trace-public.service';
import { TraceabilityService } from './traceability.service';
import { TRACE_CACHE_CONTROL } from './trace-fast-path';

/** The parts of Fastify's request and reply these handlers use (fastify itself is not a direct dependency). */
interface FastifyRequest {
  url: string;
  ip: string;
  headers: Record<string, string | undefined>;
}
interface FastifyReply {
  header(name: string, value: string): FastifyReply;
  status(code: number): FastifyReply;
  send(body?: unknown): FastifyReply;
}

@ApiTags('traceability')
@Controller('manage')
export class ManageTraceController {
  constructor(
    private readonly trace: TraceabilityService,
    private readonly manage: TraceManageService,
  ) {}

  @Post('trace/producers')
  @Auth('platform_admin', 'coop_manager')
  @ApiOperation({ summary: 'Add a producer household (member of the cooperative)' })
  createProducer(@CurrentUser() user: AuthUser, @Body() dto: CreateProducerDto) {
    return this.trace.createProducer(user, dto);
  }

  @Get('trace/producers')
  @Auth('platform_admin', 'coop_manager')
  @ApiOperation({ summary: 'Producer households of the cooperative' })
  listProducers(@CurrentUser() user: AuthUser, @Query() q: CoopPageQuery) {
    return this.trace.listProducers(user, { page: q.page, pageSize: q.pageSize, offset: q.offset, cooperativeId: q.cooperativeId });
  }

  @Post('trace/plots')
  @Auth('platform_admin', 'coop_manager')
  @ApiOperation({ summary: 'Add a plot (GeoJSON Point or Polygon) of a producer; its location id is created with it' })
  createPlot(@CurrentUser() user: AuthUser, @Body() dto: CreatePlotDto) {
    return this.trace.createPlot(user, dto);
  }

  @Get('trace/plots')
  @Auth('platform_admin', 'coop_manager', 'coop_member')
  @ApiOperation({ summary: 'Plots of the cooperative' })
  listPlots(@CurrentUser() user: AuthUser, @Query() q: CoopPageQuery) {
    return this.trace.listPlots(user, { page: q.page, pageSize: q.pageSize, offset: q.offset, cooperativeId: q.cooperativeId });
  }

  @Post('trace/locations')
  @Auth('platform_admin', 'coop_manager')
  @ApiOperation({ summary: 'Add a cooperative or facility location (readPoint / bizLocation)' })
  createLocation(@CurrentUser() user: AuthUser, @Body() dto: CreateLocationDto) {
    return this.trace.createLocation(user, dto);
  }

  @Post('trace/events')
  @Auth('platform_admin', 'coop_manager', 'coop_member')
  @ApiOperation({
    summary: 'Record a step: harvest, drying/processing (input lots → output lots), packing, shipping, receiving, inspecting, storing',
    description: 'Members may record only for their own plots and the lots that come from them. Answers the EPCIS event and its place in each lot’s hash chain.',
  })
  recordEvent(@CurrentUser() user: AuthUser, @Body() dto: RecordEventDto) {
    return this.trace.recordStep(user, dto);
  }

  @Get('trace/anomalies')
  @Auth('platform_admin', 'coop_manager')
  @ApiOperation({ summary: 'Serials scanned abnormally often or from many places (possible counterfeit labels)' })
  anomalies(@CurrentUser() user: AuthUser, @Query() q: CoopPageQuery) {
    return this.manage.anomalies(user, q);
  }

  @Get('lots/:id/qr')
  @Auth('platform_admin', 'coop_manager')
  @ApiOperation({ summary: 'QR code (SVG or PNG, error correction Q) of the lot’s GS1 Digital Link' })
  @ApiProduces('image/svg+xml', 'image/png')
  async qr(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query() q: QrQuery, @Res() reply: FastifyReply) {
    const format = q.format ?? 'svg';
    const { uri, body } = await this.manage.qr(user, id, format, q.serial);
    void reply
      .header('content-type', format === 'png' ? 'image/png' : 'image/svg+xml; charset=utf-8')
      .header('x-digital-link', uri)
      .header('cache-control', 'private, max-age=300')
      .send(body);
  }

  @Get('lots/:id/labels.pdf')
  @Auth('platform_admin', 'coop_manager')
  @ApiOperation({ summary: 'A4 sheet of labels (3 × 8, 70 × 37 mm): QR, product, lot, harvest and expiry dates, cooperative; optionally a serial each' })
  @ApiProduces('application/pdf')
  async labels(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query() q: LabelsQuery, @Res() reply: FastifyReply) {
    const { pdf, filename } = await this.manage.labels(user, id, q.count, q.serials === 'true' || q.serials === '1');
    void reply.header('content-type', 'application/pdf').header('content-disposition', `attachment; filename="${filename}"`).send(pdf);
  }

  @Post('lots/:id/recall')
  @HttpCode(200)
  @Auth('platform_admin', 'coop_manager')
  @ApiOperation({ summary: 'Recall a lot: never allocated again, a warning on its trace page; answers how many orders received it' })
  recall(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: RecallDto) {
    return this.manage.recall(user, id, dto.reason);
  }

  @Get('lots/:id/recall/orders')
  @Auth('platform_admin', 'coop_manager')
  @ApiOperation({ summary: 'Every order and customer that received the lot' })
  recallOrders(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.manage.recallOrders(user, id);
  }

  @Get('lots/:id/recall/orders.csv')
  @Auth('platform_admin', 'coop_manager')
  @ApiOperation({ summary: 'The same list as CSV (UTF-8 with BOM, for spreadsheets)' })
  @ApiProduces('text/csv')
  async recallOrdersCsv(@CurrentUser() user: AuthUser, @Param('id') id: string, @Res() reply: FastifyReply) {
    const { csv, filename } = await this.manage.recallOrdersCsv(user, id);
    void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).send(csv);
  }
}

@ApiTags('epcis')
@Controller('epcis')
@Auth('platform_admin', 'coop_manager')
export class EpcisController {
  constructor(private readonly epcis: EpcisService) {}

  @Post('capture')
  @HttpCode(202)
  @ApiOperation({ summary: 'EPCIS 2.0 capture: an EPCISDocument (JSON-LD); all events are stored or none; re-captured events are reported as duplicates' })
  @ApiBody({ schema: { type: 'object', description: 'EPCISDocument (EPCIS 2.0 JSON-LD)' } })
  @ApiAcceptedResponse({ description: '{ captureId, stored, duplicates, events: [{ index, eventID, status }] }' })
  capture(@CurrentUser() user: AuthUser, @Body() body: Record<string, unknown>, @Query() c: CooperativeQuery) {
    return this.epcis.capture(user, body, c.cooperativeId);
  }

  @Get('capture/:id')
  @ApiOperation({ summary: 'Status of a capture' })
  getCapture(@CurrentUser() user: AuthUser, @Param('id') id: string) {
    return this.epcis.getCapture(user, id);
  }

  @Get('events')
  @ApiOperation({ summary: 'EPCIS 2.0 query (MATCH_anyEPCClass, EQ_bizStep, GE_eventTime, LT_eventTime, lotId, page, pageSize) → EPCISQueryDocument' })
  @ApiProduces('application/ld+json')
  async events(@CurrentUser() user: AuthUser, @Query() q: EventQueryDto, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const scope = cooperativeScope(user, q.cooperativeId);
    const { document, hasMore } = await this.epcis.query(scope, q);
    if (hasMore) {
      const url = new URL(req.url, 'http://x');
      url.searchParams.set('page', String(q.page + 1));
      void reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
    }
    void reply.header('content-type', 'application/ld+json; charset=utf-8').header('gs1-epcis-version', '2.0.0').send(JSON.stringify(document));
  }
}

const CACHE_CONTROL = TRACE_CACHE_CONTROL;

@ApiTags('trace')
@Controller('trace')
export class PublicTraceController {
  constructor(
    private readonly publicTrace: TracePublicService,
    private readonly trace: TraceabilityService,
    private readonly scans: ScanService,
  ) {}

  private async serve(req: FastifyRequest, reply: FastifyReply, gtin: string, lot: string, serial?: string) {
    const key = this.publicTrace.normaliseKey(gtin, lot, serial);
    const accept = req.headers['accept'] ?? '';
    if (accept.includes('application/linkset+json')) {
      const linkset = await this.publicTrace.linkset(key.gtin, key.lot, key.serial);
      void reply.header('content-type', 'application/linkset+json').header('cache-control', CACHE_CONTROL).header('vary', 'Accept').send(JSON.stringify(linkset));
      return;
    }
    const doc = await this.publicTrace.response(key.gtin, key.lot, key.serial);
    this.scans.record(doc.lotId, doc.cooperativeId, key.serial ?? null, req.ip, req.headers['user-agent']);
    void reply.header('etag', doc.etag).header('cache-control', CACHE_CONTROL).header('vary', 'Accept');
    const inm = req.headers['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === doc.etag)) {
      void reply.status(304).send();
      return;
    }
    void reply.header('content-type', 'application/json; charset=utf-8').send(doc.body);
  }

  @Get('01/:gtin/10/:lot')
  @ApiOperation({
    summary: 'Public trace document of a lot (GS1 Digital Link path); Accept: application/linkset+json answers the GS1 resolver linkset',
    description: 'ETag / If-None-Match → 304; Cache-Control public. Every request counts as a scan.',
  })
  lot(@Param('gtin') gtin: string, @Param('lot') lot: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.serve(req, reply, gtin, lot);
  }

  @Get('01/:gtin/10/:lot/21/:serial')
  @ApiOperation({ summary: 'Public trace document of a serialised pack' })
  serial(@Param('gtin') gtin: string, @Param('lot') lot: string, @Param('serial') serial: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    return this.serve(req, reply, gtin, lot, serial);
  }

  @Get('01/:gtin/10/:lot/verify')
  @ApiOperation({ summary: 'Recomputes the lot’s hash chain and every eventID from the stored events' })
  verify(@Param('gtin') gtin: string, @Param('lot') lot: string) {
    const key = this.publicTrace.normaliseKey(gtin, lot);
    return this.publicTrace.verify(key.gtin, key.lot);
  }

  @Get('01/:gtin/10/:lot/epcis')
  @ApiOperation({ summary: 'The lot’s EPCIS 2.0 events as an EPCISQueryDocument' })
  @ApiProduces('application/ld+json')
  async epcis(@Param('gtin') gtin: string, @Param('lot') lot: string, @Res() reply: FastifyReply) {
    const key = this.publicTrace.normaliseKey(gtin, lot);
    const doc = await this.publicTrace.epcis(key.gtin, key.lot);
    void reply.header('content-type', 'application/ld+json; charset=utf-8').header('cache-control', CACHE_CONTROL).send(JSON.stringify(doc));
  }

  @Get('locations/:id')
  @ApiOperation({ summary: 'A location named by events (readPoint / bizLocation): name and coordinates' })
  location(@Param('id') id: string) {
    return this.trace.publicLocation(id);
  }
}
