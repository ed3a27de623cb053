export * from './board.factory.js';
export { type FixtureTarget } from './fixture.writer.js';
export * from './task.factory.js';
export * from './user.factory.js';
