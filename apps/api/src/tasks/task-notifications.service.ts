import type { FieldChange, TaskEntity } from '@app/database';
import type { MailJob } from '@app/queue';
import { Injectable } from '@nestjs/common';
import { OutboxRepository } from '@api/outbox';
import { UsersService } from '@api/users';
import type { EntityManager } from 'typeorm';

const CONTENT_FIELDS = ['status', 'title', 'description', 'dueAt'];
const LABELS: Record<string, string> = {
  status: '상태 status',
  title: '제목 title',
  description: '설명 description',
  dueAt: '마감 due',
  assigneeId: '담당자 assignee',
};

/**
 * Who is mailed about a task change, and what the mail says: the assignee when a task is assigned to them; the
 * creator and the assignee when its status or content changes; never the person who made the change. The mail is
 * recorded in the outbox inside the change's transaction.
 */
@Injectable()
export class TaskNotificationsService {
  constructor(
    private readonly outbox: OutboxRepository,
    private readonly users: UsersService,
  ) {}

  async record(
    manager: EntityManager,
    actorId: string,
    task: TaskEntity,
    changes: Record<string, FieldChange>,
    created: boolean,
  ): Promise<void> {
    const recipients = new Set<string>();
    const newAssignee = created ? task.assigneeId : (changes.assigneeId?.new as string | null | undefined);
    if (newAssignee) recipients.add(newAssignee);
    if (!created && CONTENT_FIELDS.some((field) => field in changes)) {
      recipients.add(task.creatorId);
      if (task.assigneeId) recipients.add(task.assigneeId);
    }
    recipients.delete(actorId);
    if (recipients.size === 0) return;

    const mentioned = [...recipients, actorId, changes.assigneeId?.old, changes.assigneeId?.new].filter(
      (id): id is string => typeof id === 'string',
    );
    const users = await this.users.contactsOf(manager, mentioned);
    const nickname = (id: unknown) => (typeof id === 'string' ? (users.get(id)?.nickname ?? '?') : '(없음 none)');
    const actor = nickname(actorId);
    for (const id of recipients) {
      const email = users.get(id)?.email;
      if (!email) continue;
      const mail =
        created || id === newAssignee
          ? assignedMail(task, actor, email)
          : changedMail(task, actor, email, changes, nickname);
      await this.outbox.addMail(manager, mail);
    }
  }
}

function assignedMail(task: TaskEntity, actor: string, to: string): MailJob {
  return {
    to: [to],
    subject: `[Modak] 업무 배정: ${task.title} (assigned to you)`,
    text: [
      `${actor} 님이 업무를 배정했습니다 / ${actor} assigned you a task:`,
      '',
      task.title,
      '',
      `상태 status: ${task.status}`,
    ].join('\n'),
  };
}

function changedMail(
  task: TaskEntity,
  actor: string,
  to: string,
  changes: Record<string, FieldChange>,
  nickname: (id: unknown) => string,
): MailJob {
  const lines = Object.entries(changes).map(([field, change]) => {
    const show = (value: unknown) =>
      field === 'assigneeId'
        ? nickname(value)
        : value === null || value === ''
          ? '(없음 none)'
          : (typeof value === 'string' ? value : JSON.stringify(value)).slice(0, 200);
    return `${LABELS[field] ?? field}: ${show(change.old)} -> ${show(change.new)}`;
  });
  return {
    to: [to],
    subject: `[Modak] 업무 변경: ${task.title} (task changed)`,
    text: [`${actor} 님이 업무를 바꿨습니다 / ${actor} changed a task:`, '', task.title, '', ...lines].join('\n'),
  };
}
