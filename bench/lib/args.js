/** The command line of `npm run bench -- [flags]`. */

export const USAGE = `npm run bench -- [flags]

  --quick              a short smoke run: 1 s warm-up, 3 s measured per scenario
  --rounds=<n>         rounds per scenario, API and baseline taking turns (A B A B ...; default 3): the table gives
                       medians and the min-max spread, ratios are of the medians
  --scale              seed 1 000 000 boards instead of 100 000 (numbered page 1 on a large table; takes longer)
  --warmup=<s>         warm-up per scenario, discarded (default 2)
  --duration=<s>       measured time per scenario (default 10)
  --connections=<n>    concurrent connections (default 50; the overload scenario's list gets 4 times as many)
  --only=<a,b,...>     run only these scenarios (names as in the table; "login-flood" is the concurrent run,
                       "overload" the list at 200 connections beside board-by-id)
  --profile            run both servers under node --cpu-prof (bench/results/profiles/; summarise with
                       node bench/profile.js <file>)
  --api-main=<file>    the API entry to run (default dist/apps/api/src/main.js): an experiment's patched copy of
                       dist/ under bench/results/, measured against the same load
  --api-env=NAME=value an extra environment variable for the API (repeatable), to try runtime settings, e.g.
                       --api-env=MALLOC_ARENA_MAX=2; NODE_OPTIONS here replaces the production image's (read from
                       docker/Dockerfile), e.g. --api-env="NODE_OPTIONS=--enable-source-maps --max-semi-space-size=8"
  --keep               keep the run's temp folder (server logs) instead of deleting it
  --help               this text`;

export function parseArgs(argv) {
  const options = {
    warmupS: 2,
    durationS: 10,
    connections: 50,
    rounds: 3,
    scale: false,
    only: undefined,
    profile: false,
    keep: false,
    quick: false,
    apiEnv: {},
    apiMain: undefined,
  };
  for (const arg of argv) {
    const [flag] = arg.split('=', 1);
    const value = arg.includes('=') ? arg.slice(flag.length + 1) : undefined;
    const number = () => {
      const parsed = Number(value);
      if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`${flag} needs a positive number`);
      return parsed;
    };
    switch (flag) {
      case '--quick':
        Object.assign(options, { quick: true, warmupS: 1, durationS: 3 });
        break;
      case '--scale':
        options.scale = true;
        break;
      case '--warmup':
        options.warmupS = number();
        break;
      case '--duration':
        options.durationS = number();
        break;
      case '--connections':
        options.connections = Math.round(number());
        break;
      case '--rounds':
        options.rounds = Math.max(1, Math.round(number()));
        break;
      case '--only':
        options.only = new Set((value ?? '').split(',').filter(Boolean));
        break;
      case '--profile':
        options.profile = true;
        break;
      case '--api-main':
        options.apiMain = value;
        break;
      case '--api-env': {
        const [name, ...rest] = (value ?? '').split('=');
        if (!name || rest.length === 0) throw new Error('--api-env needs NAME=value');
        options.apiEnv[name] = rest.join('=');
        break;
      }
      case '--keep':
        options.keep = true;
        break;
      case '--help':
        options.help = true;
        break;
      default:
        throw new Error(`unknown flag ${arg}\n\n${USAGE}`);
    }
  }
  return {
    ...options,
    /** What every autocannon run gets. */
    load: { connections: options.connections, warmupS: options.warmupS, durationS: options.durationS },
    wanted: (name) => !options.only || options.only.has(name),
  };
}
