import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { GoogleFeedService } from './google-feed.service';

/** The parts of Fastify's request and reply used here (fastify itself is not a direct dependency). */
interface FastifyRequest {
  headers: Record<string, string | undefined>;
}
interface FastifyReply {
  header(name: string, value: string): FastifyReply;
  status(code: number): FastifyReply;
  send(body?: unknown): FastifyReply;
}

/** Merchant Center fetches the feed on a schedule; five minutes of caching keeps that cheap and stock fresh enough. */
export const GOOGLE_FEED_CACHE_CONTROL = 'public, max-age=300';

@ApiTags('feeds')
@Controller('feeds')
export class GoogleFeedController {
  constructor(private readonly feeds: GoogleFeedService) {}

  @Get(':cooperative/google.xml')
  @ApiProduces('application/xml')
  @ApiOperation({
    summary: 'Google Merchant Center product feed of a cooperative (RSS 2.0 with the g: namespace)',
    description: 'One item per published, in-stock variant; prices in VND; absolute URLs; ETag / If-None-Match → 304.',
  })
  async google(@Param('cooperative') cooperative: string, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const feed = await this.feeds.feed(cooperative);
    void reply.header('etag', feed.etag).header('cache-control', GOOGLE_FEED_CACHE_CONTROL);
    const inm = req.headers['if-none-match'];
    if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === feed.etag)) {
      void reply.status(304).send();
      return;
    }
    void reply.header('content-type', 'application/xml; charset=utf-8').send(feed.xml);
  }
}
