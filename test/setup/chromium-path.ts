import { accessSync, constants } from 'node:fs';

/** Debian's Chromium (`apt-get install chromium`); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Throws, saying what to install, unless the browser the browser tests drive can be run. */
export function assertChromium(): void {
  try {
    accessSync(CHROMIUM, constants.X_OK);
  } catch {
    throw new Error(
      [
        `The browser tests drive Chromium, and there is none at ${CHROMIUM}. Install it, or point CHROMIUM_PATH at one:`,
        '  Debian or Ubuntu: sudo apt-get install -y chromium',
        '  macOS:            brew install --cask chromium, then CHROMIUM_PATH=/Applications/Chromium.app/Contents/MacOS/Chromium',
        'Or run the other projects only: npx jest --selectProjects unit e2e security',
      ].join('\n'),
    );
  }
}
