import type { z } from 'zod';
import type { EnvPiece, VarDoc } from './env.schema.js';

/** One row of the configuration table: a variable, as every process that reads it sees it. */
export interface EnvVarRow {
  name: string;
  /** The default as a person reads it: `value`, unset, empty, required, or the piece's own words. */
  default: string;
  meaning: string;
  /** The processes that read it (`api`, `worker`, `migrate`). */
  usedBy: string[];
  /** Production must set it: it has no default, or only a laptop's. */
  requiredInProduction: boolean;
}

/** The variables a process reads: the pieces its configuration parses. */
export interface ProcessEnv {
  process: string;
  pieces: readonly EnvPiece<z.ZodRawShape>[];
}

/** The default `schema` applies, as text; `undefined` when there is none (the variable is required). */
function defaultOf(name: string, schema: z.ZodType, doc: VarDoc): string | undefined {
  const result = schema.safeParse(undefined);
  if (!result.success) return undefined;
  if (typeof doc !== 'string') return doc.default;
  const value: unknown = result.data;
  if (value === undefined) return 'unset';
  if (Array.isArray(value) && value.length === 0) return 'empty';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return `\`${value}\``;
  throw new Error(`${name}: its default cannot be shown as a value; give it in the piece's docs`);
}

/**
 * The table of every variable the processes read, in the order the pieces declare them: what the README's
 * configuration section shows (scripts/config-docs.mjs), and what infra must set in production.
 */
export function describeEnv(processes: readonly ProcessEnv[]): EnvVarRow[] {
  const rows = new Map<string, EnvVarRow>();
  for (const { process, pieces } of processes) {
    for (const piece of pieces) {
      for (const [name, schema] of Object.entries(piece.shape)) {
        const known = rows.get(name);
        if (known) {
          if (!known.usedBy.includes(process)) known.usedBy.push(process);
          continue;
        }
        const doc = piece.docs[name];
        const fallback = defaultOf(name, schema as z.ZodType, doc);
        const embedded = piece.embeddedDefaults?.includes(name) ?? false;
        const shown = fallback ?? (typeof doc === 'string' ? 'required' : doc.default);
        rows.set(name, {
          name,
          default: embedded ? `${shown} (_dev default_)` : shown,
          meaning: typeof doc === 'string' ? doc : doc.meaning,
          usedBy: [process],
          requiredInProduction: fallback === undefined || embedded,
        });
      }
    }
  }
  return [...rows.values()];
}

/** The rows as a Markdown table (unaligned: prettier aligns it). */
export function envTable(rows: readonly EnvVarRow[]): string {
  const escape = (text: string) => text.replaceAll('|', '\\|');
  return [
    '| variable | default | read by | meaning |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (row) => `| \`${row.name}\` | ${escape(row.default)} | ${row.usedBy.join(', ')} | ${escape(row.meaning)} |`,
    ),
  ].join('\n');
}
