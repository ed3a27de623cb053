import { lineFormat } from './logger.module.js';

describe('log lines', () => {
  it('are JSON, with the service on each, unless readable lines are asked for (development)', () => {
    expect(lineFormat({ level: 'info', service: 'api' })).toEqual({
      level: 'info',
      base: { service: 'api' },
      messageKey: 'msg',
    });
    expect(lineFormat({ level: 'info', service: 'worker', pretty: true })).toMatchObject({
      base: { service: 'worker' },
      transport: { target: 'pino-pretty' },
    });
  });
});
