export { OutboxDispatcher } from './outbox.dispatcher.js';
export { OutboxModule } from './outbox.module.js';
export { OutboxRepository } from './outbox.repository.js';
