import { Public, requestContext } from '@app/core';
import { Database, UserEntity } from '@app/database';
import { Body, Controller, Get, Headers, Module, Post, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';

class EchoRequestDto {
  @IsString()
  @MaxLength(20)
  name!: string;
}

class SlowQueryDto {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(10_000)
  ms!: number;
}

/**
 * Routes that exist only in tests, mounted beside the api's own (createApiApp's extra imports): they exercise the
 * global pipeline (validation, errors, routing, shutdown) before real features use it. `x-test-client` names the
 * client the way authentication will, for read-your-writes.
 */
@Public()
@Controller('probe')
class ProbeController {
  constructor(private readonly database: Database) {}

  @Post('echo')
  echo(@Body() body: EchoRequestDto): EchoRequestDto {
    return body;
  }

  @Get('slow')
  async slow(@Query() query: SlowQueryDto): Promise<{ waited: number }> {
    await new Promise((resolve) => setTimeout(resolve, query.ms));
    return { waited: query.ms };
  }

  /** Which node served a plain read, and whether it sees the user with this nickname. */
  @Get('users')
  async findUser(
    @Query('nickname') nickname: string,
    @Headers('x-test-client') client?: string,
  ): Promise<{ servedByReplica: boolean; found: boolean }> {
    if (client) requestContext.identify(client);
    return this.database.read(async (manager) => {
      const [row] = await manager.query<{ replica: boolean }[]>('SELECT pg_is_in_recovery() AS replica');
      const found = await manager.getRepository(UserEntity).existsBy({ nickname });
      return { servedByReplica: row.replica, found };
    });
  }

  @Post('users')
  async createUser(@Body() body: EchoRequestDto, @Headers('x-test-client') client?: string): Promise<{ id: string }> {
    if (client) requestContext.identify(client);
    const user = await this.database.write((manager) =>
      manager.getRepository(UserEntity).save({ nickname: body.name, email: null }),
    );
    return { id: user.id };
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
