import { SnakeNamingStrategy } from './snake-naming.strategy.js';

describe(SnakeNamingStrategy.name, () => {
  const naming = new SnakeNamingStrategy();

  it('names tables and columns in snake_case', () => {
    expect(naming.tableName('TaskEvent', undefined)).toBe('task_event');
    expect(naming.tableName('TaskEvent', 'task_events')).toBe('task_events');
    expect(naming.columnName('emailVerifiedAt', undefined, [])).toBe('email_verified_at');
    expect(naming.columnName('id', undefined, ['author'])).toBe('author_id');
    expect(naming.joinColumnName('assignee', 'id')).toBe('assignee_id');
    expect(naming.columnName('HTTPStatus', undefined, [])).toBe('http_status');
  });
});
