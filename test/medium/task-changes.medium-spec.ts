import { AppError, ErrorCode, Role, type AuthUser } from '@app/core';
import { TaskEventType, TaskStatus, type TaskEntity } from '@app/database';
import { MailQueue, MailSeal, type MailJob } from '@app/queue';
import { createTestDatabase } from '@app/testing';
import { IdempotencyModule } from '@api/idempotency';
import { OutboxModule } from '@api/outbox';
import { randomUUID } from 'node:crypto';
import { TasksModule } from '../../apps/api/src/tasks/tasks.module.js';
import { TasksService, type NewTask, type TaskUpdate } from '../../apps/api/src/tasks/tasks.service.js';
import { eventually } from '../support/http.js';
import { asClient, startMedium, type Medium } from './support/medium.js';

interface Member extends AuthUser {
  nickname: string;
  email: string | null;
}

// How a change to a task becomes its event (old and new values, the event's type) and its mail (who, what).
describe('task changes: their events and who is told', () => {
  let medium: Medium;
  let tasks: TasksService;
  let creator: Member;
  let assignee: Member;
  let other: Member;
  let admin: Member;

  beforeAll(async () => {
    medium = await startMedium(await createTestDatabase(), (config) => ({
      // The controller's interceptor comes with the module; nothing here serves HTTP.
      imports: [OutboxModule.register(config.mailSealKey), IdempotencyModule, TasksModule],
    }));
    tasks = medium.module.get(TasksService);
    [creator, assignee, other, admin] = await Promise.all([member(), member(), member(), member({ role: Role.Admin })]);
  });

  afterAll(() => medium?.close());

  async function member(options: { role?: Role; email?: boolean } = {}): Promise<Member> {
    const nickname = `m-${randomUUID().slice(0, 8)}`;
    const { id, role, email } = await medium.fixtures.users.create({
      email: options.email === false ? null : `${nickname}@example.com`,
      password: null,
      verified: false,
      nickname,
      role: options.role,
    });
    return { id, role, email, nickname, sessionId: randomUUID(), jti: randomUUID(), exp: 0, sessionChecked: true };
  }

  // Each call acts as a request of its member, so that member reads its own writes.
  const create = (actor: Member, input: Partial<NewTask> = {}) =>
    asClient(`user:${actor.id}`, () => tasks.create(actor, { title: 'Write the release notes', ...input }));
  const update = (actor: Member, task: Pick<TaskEntity, 'id'>, change: TaskUpdate) =>
    asClient(`user:${actor.id}`, () => tasks.update(actor, task.id, change));
  /** The task's events as `reader` reads them (a reader who made the last change sees it at once). */
  const eventsOf = (task: Pick<TaskEntity, 'id'>, reader = creator) =>
    asClient(`user:${reader.id}`, async () =>
      (await tasks.events(task.id)).map(({ type, actorId, changes }) => ({ type, actorId, changes })),
    );

  /** The mail `change` asked for, as the queue got it: each outbox row it wrote becomes job `outbox-<row id>`. */
  async function mailOf(change: () => Promise<unknown>): Promise<MailJob[]> {
    const rows = () =>
      medium.database.readPrimary(async (manager) =>
        (await manager.query<{ id: string }[]>("SELECT id FROM outbox WHERE kind = 'mail'")).map((row) => row.id),
      );
    const before = new Set(await rows());
    await change();
    const added = (await rows()).filter((id) => !before.has(id));
    const queue = medium.module.get(MailQueue).queue;
    const seal = medium.module.get(MailSeal);
    const mail = await Promise.all(
      added.map(async (id) => {
        await eventually(async () => (await queue.getJob(`outbox-${id}`)) !== undefined);
        return seal.open((await queue.getJob(`outbox-${id}`))!.data);
      }),
    );
    return mail.sort((a, b) => a.to[0].localeCompare(b.to[0]));
  }
  const recipients = (mail: MailJob[]) => mail.map((one) => one.to);
  const to = (...members: Member[]) => members.map((one) => [one.email]).sort((a, b) => a[0]!.localeCompare(b[0]!));

  describe('the event', () => {
    it('logs a creation as every field from null, with an empty description and no assignee or due date by default', async () => {
      const task = await create(creator, { title: 'plain', dueAt: '2026-12-01T09:00:00+09:00' });
      expect(await eventsOf(task)).toEqual([
        {
          type: TaskEventType.Created,
          actorId: creator.id,
          changes: {
            title: { old: null, new: 'plain' },
            description: { old: null, new: '' },
            status: { old: null, new: TaskStatus.Todo },
            assigneeId: { old: null, new: null },
            dueAt: { old: null, new: '2026-12-01T00:00:00.000Z' },
          },
        },
      ]);
    });

    it('records only the fields an update really changes, and names the event after those', async () => {
      const task = await create(creator, { title: 'same', assigneeId: assignee.id });
      const moved = await update(creator, task, {
        version: 1,
        title: 'same',
        assigneeId: assignee.id,
        status: TaskStatus.InProgress,
      });
      const handed = await update(creator, task, { version: 2, status: TaskStatus.InProgress, assigneeId: other.id });
      await update(creator, task, { version: 3, status: TaskStatus.Done, assigneeId: null });

      expect([moved.version, handed.version]).toEqual([2, 3]);
      expect((await eventsOf(task)).slice(1)).toEqual([
        {
          type: TaskEventType.StatusChanged,
          actorId: creator.id,
          changes: { status: { old: TaskStatus.Todo, new: TaskStatus.InProgress } },
        },
        {
          type: TaskEventType.Assigned,
          actorId: creator.id,
          changes: { assigneeId: { old: assignee.id, new: other.id } },
        },
        {
          type: TaskEventType.Updated,
          actorId: creator.id,
          changes: {
            status: { old: TaskStatus.InProgress, new: TaskStatus.Done },
            assigneeId: { old: other.id, new: null },
          },
        },
      ]);
    });

    it('takes a due date written in another time zone at the same instant for no change', async () => {
      const task = await create(creator, { dueAt: '2027-01-05T10:00:00Z' });
      const same = await update(creator, task, { version: 1, dueAt: '2027-01-05T19:00:00+09:00' });
      expect(same.version).toBe(1);
      await update(creator, task, { version: 1, dueAt: '2027-01-05T19:00:01+09:00' });

      expect((await eventsOf(task)).slice(1)).toEqual([
        {
          type: TaskEventType.Updated,
          actorId: creator.id,
          changes: { dueAt: { old: '2027-01-05T10:00:00.000Z', new: '2027-01-05T10:00:01.000Z' } },
        },
      ]);
    });

    it('writes nothing for an update that changes nothing: no event, no new version, no mail', async () => {
      const task = await create(creator, { title: 'still', assigneeId: assignee.id });
      let answer: TaskEntity | undefined;
      const mail = await mailOf(async () => {
        answer = await update(admin, task, {
          version: 1,
          title: 'still',
          description: '',
          status: TaskStatus.Todo,
          assigneeId: assignee.id,
          dueAt: null,
        });
      });
      expect(answer).toMatchObject({ id: task.id, version: 1, title: 'still' });
      expect(mail).toEqual([]);
      expect(await eventsOf(task, admin)).toHaveLength(1);
    });

    it('checks the version first: a stale one conflicts even when the update would change nothing', async () => {
      const task = await create(creator, { title: 'first' });
      await update(creator, task, { version: 1, title: 'second' });
      const stale = update(creator, task, { version: 1, title: 'second' });
      await expect(stale).rejects.toBeInstanceOf(AppError);
      await expect(stale).rejects.toMatchObject({ code: ErrorCode.VersionConflict });
      expect(await eventsOf(task)).toHaveLength(2);
    });

    it("unassigns a closing account's open tasks, each with its event, and leaves done, deleted and others' tasks", async () => {
      const leaving = await member();
      const open = await create(creator, { assigneeId: leaving.id });
      const done = await create(creator, { assigneeId: leaving.id });
      await update(creator, done, { version: 1, status: TaskStatus.Done });
      const deleted = await create(creator, { assigneeId: leaving.id });
      await asClient(`user:${creator.id}`, () => tasks.remove(creator, deleted.id));
      const someoneElses = await create(creator, { assigneeId: assignee.id });

      await asClient(`user:${leaving.id}`, () =>
        medium.database.transaction((manager) => tasks.unassignAll(manager, leaving.id)),
      );

      const now = await asClient(`user:${leaving.id}`, () =>
        Promise.all([open, done, someoneElses].map((task) => tasks.get(task.id))),
      );
      expect(now.map((task) => [task.assigneeId, task.version])).toEqual([
        [null, 2],
        [leaving.id, 2],
        [assignee.id, 1],
      ]);
      expect((await eventsOf(open, leaving)).at(-1)).toEqual({
        type: TaskEventType.Assigned,
        actorId: leaving.id,
        changes: { assigneeId: { old: leaving.id, new: null } },
      });
      const deletedEvents = await medium.database.readPrimary((manager) =>
        manager.query<{ type: string }[]>('SELECT type FROM task_events WHERE task_id = $1 ORDER BY created_at', [
          deleted.id,
        ]),
      );
      expect(deletedEvents.map((event) => event.type)).toEqual([TaskEventType.Created, TaskEventType.Deleted]);
    });
  });

  describe('who is told', () => {
    it('tells nobody of a task made for oneself or for nobody', async () => {
      expect(await mailOf(() => create(creator, { assigneeId: creator.id }))).toEqual([]);
      expect(await mailOf(() => create(creator))).toEqual([]);
    });

    it('tells a new assignee of the assignment, and neither who assigned it nor who was taken off it', async () => {
      const task = await create(creator, { assigneeId: assignee.id });
      const handed = await mailOf(() => update(creator, task, { version: 1, assigneeId: other.id }));
      expect(recipients(handed)).toEqual(to(other));
      expect(handed[0].subject).toContain('assigned to you');
      expect(handed[0].text).toContain(`${creator.nickname} assigned you a task`);

      expect(await mailOf(() => update(creator, task, { version: 2, assigneeId: null }))).toEqual([]);
    });

    it("tells the creator and the assignee of a third person's change, once each, and a new assignee only of the assignment", async () => {
      const task = await create(creator, { assigneeId: assignee.id });
      const changed = await mailOf(() => update(admin, task, { version: 1, status: TaskStatus.InProgress }));
      expect(recipients(changed)).toEqual(to(creator, assignee));
      expect(changed.every((mail) => mail.subject.includes('task changed'))).toBe(true);

      // Reassigned in the same change: the new assignee hears of the assignment; the one taken off hears nothing.
      const reassigned = await mailOf(() =>
        update(admin, task, { version: 2, status: TaskStatus.Done, assigneeId: other.id }),
      );
      expect(recipients(reassigned)).toEqual(to(creator, other));
      const byRecipient = new Map(reassigned.map((mail) => [mail.to[0], mail]));
      expect(byRecipient.get(other.email!)?.subject).toContain('assigned to you');
      expect(byRecipient.get(creator.email!)?.text).toContain(
        `담당자 assignee: ${assignee.nickname} -> ${other.nickname}`,
      );

      // An assignment alone is no change of content: the creator is not told.
      expect(recipients(await mailOf(() => update(admin, task, { version: 3, assigneeId: assignee.id })))).toEqual(
        to(assignee),
      );
    });

    it('tells a creator who is also the assignee once, and never the person who made the change', async () => {
      const task = await create(creator, { assigneeId: creator.id });
      expect(recipients(await mailOf(() => update(admin, task, { version: 1, title: 'renamed' })))).toEqual(
        to(creator),
      );
      expect(await mailOf(() => update(creator, task, { version: 2, title: 'renamed again' }))).toEqual([]);
    });

    it('passes over a member without an address (a Kakao-only account)', async () => {
      const kakaoOnly = await member({ email: false });
      const task = await create(creator, { assigneeId: kakaoOnly.id });
      expect(await mailOf(() => update(creator, task, { version: 1, status: TaskStatus.Done }))).toEqual([]);
      expect(recipients(await mailOf(() => update(admin, task, { version: 2, title: 'x' })))).toEqual(to(creator));
    });

    it('says what changed: nothing as (없음 none), long values cut at 200 characters', async () => {
      const task = await create(creator, { assigneeId: assignee.id });
      const long = 'ㄱ'.repeat(150) + 'x'.repeat(150);
      const [mail] = await mailOf(() =>
        update(assignee, task, { version: 1, description: long, dueAt: '2027-03-01T00:00:00Z' }),
      );
      expect(mail.to).toEqual([creator.email]);
      const lines = mail.text.split('\n');
      expect(lines).toContain(`설명 description: (없음 none) -> ${long.slice(0, 200)}`);
      expect(lines).toContain('마감 due: (없음 none) -> 2027-03-01T00:00:00.000Z');
      expect(lines.filter((line) => line.includes(' -> '))).toHaveLength(2);
    });
  });
});
