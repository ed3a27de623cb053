import { Role } from '@app/core';
import {
  BoardEntity,
  CompiledSelect,
  createDataSource,
  TaskEntity,
  UserEntity,
  type DatabaseConfig,
} from '@app/database';
import { createTestDatabase } from '@app/testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

// A statement rendered once answers what TypeORM's own getOne() answers for the same query builder, on the real
// PostgreSQL: the same entity class, the same values (dates, nulls, enums), the joined entity in its relation.
describe(CompiledSelect.name, () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    const { primaryUrl } = await createTestDatabase();
    const config: DatabaseConfig = {
      primaryUrl,
      replicaUrls: [],
      poolSize: 2,
      poolWaitMs: 5_000,
      connectTimeoutMs: 5_000,
      statementTimeoutMs: 5_000,
      replicaTimeoutMs: 5_000,
      readYourWritesWindowMs: 60_000,
      replicaMaxLagMs: 10_000,
      countCacheMs: 0,
      applicationName: 'modak-test-compiled-select',
    };
    dataSource = createDataSource(primaryUrl, 'primary', config);
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  const newUser = (overrides: Partial<UserEntity> = {}) =>
    dataSource.manager.save(
      dataSource.manager.create(UserEntity, {
        email: `${randomUUID()}@example.com`,
        passwordHash: null,
        nickname: '모닥불',
        role: Role.User,
        emailVerifiedAt: new Date('2026-01-02T03:04:05.678Z'),
        ...overrides,
      }),
    );

  it('reads a row by id as getOne() does, and null for no row', async () => {
    const user = await newUser({ kakaoId: '12345', role: Role.Admin });
    const byId = (manager = dataSource.manager, id = '') =>
      manager.createQueryBuilder(UserEntity, 'user').where('user.id = :id', { id });
    const compiled = new CompiledSelect<UserEntity, [string]>(1, byId);

    const found = await compiled.one(dataSource.manager, user.id);
    expect(found).toBeInstanceOf(UserEntity);
    expect(found).toEqual(await byId(dataSource.manager, user.id).getOne());
    expect(found).toMatchObject({ id: user.id, kakaoId: '12345', role: Role.Admin, bannedAt: null });
    expect(found!.createdAt).toBeInstanceOf(Date);
    await expect(compiled.one(dataSource.manager, randomUUID())).resolves.toBeNull();
  });

  it('fills many-to-one joins with their selected columns, inner and left, and keeps constant parameters', async () => {
    const author = await newUser();
    const board = await dataSource.manager.save(
      dataSource.manager.create(BoardEntity, { authorId: author.id, title: '공지', content: 'read me' }),
    );
    const boardById = (manager = dataSource.manager, id = '') =>
      manager
        .createQueryBuilder(BoardEntity, 'board')
        .innerJoin('board.author', 'author')
        .addSelect(['author.id', 'author.nickname'])
        .where('board.id = :id AND author.role = :role', { id, role: Role.User });
    const board$ = new CompiledSelect<BoardEntity, [string]>(1, boardById);
    const found = await board$.one(dataSource.manager, board.id);
    expect(found).toEqual(await boardById(dataSource.manager, board.id).getOne());
    expect(found!.author).toEqual(expect.objectContaining({ id: author.id, nickname: '모닥불' }));

    const unassigned = await dataSource.manager.save(
      dataSource.manager.create(TaskEntity, { creatorId: author.id, assigneeId: null, title: 'alone' }),
    );
    const taskById = (manager = dataSource.manager, id = '') =>
      manager
        .createQueryBuilder(TaskEntity, 'task')
        .innerJoin('task.creator', 'creator')
        .leftJoin('task.assignee', 'assignee')
        .addSelect(['creator.id', 'creator.nickname', 'assignee.id', 'assignee.nickname'])
        .where('task.id = :id', { id });
    const task = await new CompiledSelect<TaskEntity, [string]>(1, taskById).one(dataSource.manager, unassigned.id);
    expect(task).toEqual(await taskById(dataSource.manager, unassigned.id).getOne());
    expect(task!.assignee).toBeNull();
  });

  it('refuses, on its first call, a join that could multiply rows', async () => {
    const user = await newUser();
    const withBoards = new CompiledSelect<UserEntity, [string]>(1, (manager, id) =>
      manager
        .createQueryBuilder(UserEntity, 'user')
        .leftJoin(BoardEntity, 'board', 'board.authorId = user.id')
        .where('user.id = :id', { id }),
    );
    await expect(withBoards.one(dataSource.manager, user.id)).rejects.toThrow(/only many-to-one joins/);
  });
});
