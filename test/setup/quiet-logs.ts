import { Logger } from '@nestjs/common';

// Logs of code running outside an app (migrations in a suite's setup, for instance) stay quiet unless asked for:
// TEST_LOG_LEVEL=debug npm test
if (!process.env.TEST_LOG_LEVEL) Logger.overrideLogger(false);
