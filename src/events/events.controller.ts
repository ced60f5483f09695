import { Controller, Get, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyOnly } from '../auth/access';
import { ApiProblems, LIST_PROBLEMS } from '../platform/openapi/api-problems.decorator';
import { EventFeedQueryDto } from './dto/event-feed-query.dto';
import { EventFeedPageDto } from './dto/event-response.dto';
import { EVENT_SCHEMA_MODELS } from './dto/event-types.dto';
import { EventsService } from './events.service';

@ApiTags('events')
@ApiExtraModels(...EVENT_SCHEMA_MODELS)
@Controller('events')
export class EventsController {
  constructor(private readonly eventsService: EventsService) {}

  @Get()
  @ApiKeyOnly('events:read')
  @ApiOperation({
    summary: 'Read the event feed',
    description:
      'Every committed change as an event, oldest first in commit order. Page with `after=next_cursor`: each ' +
      'event is seen exactly once, also while transactions commit out of id order and across instances. ' +
      '`next_cursor` is always present (on an empty page it equals `after`), so a consumer polls with it. ' +
      'Events are kept at least 30 days (EVENTS_RETENTION_DAYS). Unlike the other lists, a feed is consumed rather than ' +
      'browsed: it has no `total` and no `offset`, and its end is only the end for now, so `next_cursor` is never null. ' +
      'Like them, every page is an index range read (on the feed position), however long the feed.',
  })
  @ApiOkResponse({ type: EventFeedPageDto })
  @ApiProblems(...LIST_PROBLEMS)
  feed(@Query() query: EventFeedQueryDto): Promise<EventFeedPageDto> {
    return this.eventsService.feed(query);
  }
}
