import { ConfigError } from './env.schema.js';

export interface ProcessIo {
  error(line: string): void;
  exit(code: number): void;
}

const processIo: ProcessIo = {
  error: (line) => console.error(line),
  exit: (code) => process.exit(code),
};

/**
 * Runs a process's start-up. A configuration error stops the process with its one line (naming the variable); any
 * other start-up failure stops it with the error.
 */
export async function runMain(start: () => Promise<unknown>, io: ProcessIo = processIo): Promise<void> {
  try {
    await start();
  } catch (error) {
    io.error(
      error instanceof ConfigError ? error.message : `start-up failed: ${(error as Error).stack ?? String(error)}`,
    );
    io.exit(1);
  }
}
