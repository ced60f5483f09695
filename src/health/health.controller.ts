import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { Public } from '../auth/access';
import { CommonErrors, DATABASE_RETRY_AFTER_SECONDS } from '../common/common.errors';
import { problem, retryLater } from '../common/problem';
import { ApiProblems } from '../platform/openapi/api-problems.decorator';
import { ShutdownState } from '../platform/shutdown';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly shutdown: ShutdownState,
  ) {}

  @Get()
  @Public()
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({
    summary: 'Liveness and database state',
    description:
      '200 while the database answers a ping within 2 s; 503 DATABASE_UNAVAILABLE (with Retry-After) otherwise, and 503 SERVICE_UNAVAILABLE while the server shuts down. Public.',
  })
  @ApiOkResponse({
    description: 'Up',
    schema: { example: { status: 'ok', info: { database: { status: 'up' } }, error: {}, details: { database: { status: 'up' } } } },
  })
  @ApiProblems(CommonErrors.SERVICE_UNAVAILABLE, CommonErrors.DATABASE_UNAVAILABLE)
  async check(): Promise<HealthCheckResult> {
    // load balancers stop sending traffic here while the requests already received finish
    if (this.shutdown.draining) throw problem(CommonErrors.SERVICE_UNAVAILABLE, 'The server is shutting down');
    try {
      return await this.health.check([() => this.db.pingCheck('database', { timeout: 2000 })]);
    } catch (error) {
      // the same answer as every other route gives while the database is unreachable
      if (error instanceof ServiceUnavailableException) {
        throw retryLater(CommonErrors.DATABASE_UNAVAILABLE, 'The database does not answer', DATABASE_RETRY_AFTER_SECONDS);
      }
      throw error;
    }
  }
}
