/**
 * The production image's environment, read from docker/Dockerfile: the benchmark runs the API with the image's
 * NODE_OPTIONS (heap limits, source maps) without a second copy of them to keep in sync.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const DOCKERFILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docker/Dockerfile');

/** The instructions of a Dockerfile: continuation lines joined, comments and blank lines left out. */
function instructions(text) {
  const result = [];
  let current = '';
  for (const line of text.split(/\r?\n/)) {
    // Docker drops comment lines, also inside a continued instruction.
    if (/^\s*#/.test(line)) continue;
    if (/\\\s*$/.test(line)) {
      current += `${line.replace(/\\\s*$/, '')} `;
      continue;
    }
    current += line;
    if (current.trim()) result.push(current.trim());
    current = '';
  }
  if (current.trim()) result.push(current.trim());
  return result;
}

/** `$NAME` and `${NAME}` from `env` (empty when unset), as Docker expands them in ENV values. */
const expand = (value, env) =>
  value.replace(
    /\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_, braced, bare) => env[braced ?? bare] ?? '',
  );

/**
 * The words of an ENV instruction's arguments: split on unquoted blanks; double quotes group and let `\` escape,
 * single quotes group literally (no expansion), a `\` outside quotes escapes the next character.
 */
function words(args, env) {
  const result = [];
  let word = '';
  let started = false;
  for (let i = 0; i < args.length; i += 1) {
    const char = args[i];
    if (/\s/.test(char)) {
      if (started) result.push(word);
      word = '';
      started = false;
    } else if (char === "'") {
      const end = args.indexOf("'", i + 1);
      word += args.slice(i + 1, end < 0 ? undefined : end);
      i = end < 0 ? args.length : end;
      started = true;
    } else if (char === '"') {
      let quoted = '';
      for (i += 1; i < args.length && args[i] !== '"'; i += 1) quoted += args[i] === '\\' ? args[++i] : args[i];
      word += expand(quoted, env);
      started = true;
    } else if (char === '\\') {
      word += args[++i] ?? '';
      started = true;
    } else {
      let plain = '';
      for (; i < args.length && !/[\s'"\\]/.test(args[i]); i += 1) plain += args[i];
      i -= 1;
      word += expand(plain, env);
      started = true;
    }
  }
  if (started) result.push(word);
  return result;
}

/**
 * The environment the Dockerfile's final stage (the image that runs) sets with ENV, inherited from the stages it is
 * built `FROM`. Variables of the base image itself (node:…) are not known.
 */
export function imageEnv(text) {
  const stages = new Map();
  let env = {};
  for (const line of instructions(text)) {
    const [, keyword, args = ''] = /^(\S+)\s*(.*)$/.exec(line);
    if (keyword.toUpperCase() === 'FROM') {
      const [image, as, name] = args.split(/\s+/).filter((word) => !word.startsWith('--'));
      env = { ...(stages.get(image) ?? {}) };
      if (as?.toUpperCase() === 'AS' && name) stages.set(name, env);
    } else if (keyword.toUpperCase() === 'ENV') {
      const first = /^\S+/.exec(args)?.[0] ?? '';
      if (!first.includes('=')) {
        // The legacy form, `ENV NAME value …`: one variable, the rest of the line its value.
        env[first] = words(args.slice(first.length), env).join(' ');
        continue;
      }
      const assignments = words(args, env).map((word) => [
        word.slice(0, word.indexOf('=')),
        word.slice(word.indexOf('=') + 1),
      ]);
      for (const [name, value] of assignments) env[name] = value;
    }
  }
  return env;
}

/** NODE_OPTIONS as the production image sets it (undefined when it does not). */
export const productionNodeOptions = (file = DOCKERFILE) => imageEnv(readFileSync(file, 'utf8')).NODE_OPTIONS;
