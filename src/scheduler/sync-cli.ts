// The command line of syncs, derived from the sync definitions (docs/architecture.md §4): `<command>` names a
// kind, each parameter is a flag of its kebab-case name (a boolean is a switch, a number takes a whole number,
// an id list takes `1,2,3`), and what it gives is checked by the same rules as a mutation's input.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { getMetadataStorage } from 'class-validator';
import { DomainError } from '../core/errors/domain-error.js';
import { prepareParams, syncDefinitions } from './sync-definition.js';
import type { SyncDefinition, SyncParams } from './sync-definition.js';

/** A command line that cannot be run: the message says what is wrong (empty for --help). */
export class UsageError extends Error {}

type FlagType = 'boolean' | 'int' | 'ids' | 'string';

interface Flag {
  flag: string;
  param: string;
  type: FlagType;
  required: boolean;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The parameters of a params class, with their type (from the emitted design types) and whether required. */
function paramsOf(definition: SyncDefinition): { param: string; type: FlagType; required: boolean }[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(definition.params, '', true, false);
  const names = [...new Set(metadata.map((m) => m.propertyName))];
  return names.map((param) => {
    const design = Reflect.getMetadata(
      'design:type',
      definition.params.prototype as object,
      param,
    ) as unknown;
    const type: FlagType =
      design === Boolean ? 'boolean' : design === Number ? 'int' : design === Array ? 'ids' : 'string';
    const required = !metadata.some((m) => m.propertyName === param && m.type === 'conditionalValidation');
    return { param, type, required };
  });
}

function flagsOf(definition: SyncDefinition): Flag[] {
  const aliases = Object.entries(definition.flags ?? {});
  return paramsOf(definition).map((p) => ({
    ...p,
    flag: aliases.find(([, param]) => param === p.param)?.[0] ?? kebab(p.param),
  }));
}

function wholeNumber(flag: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(n) || n < 0)
    throw new UsageError(`--${flag}: expected a whole number, got "${raw}"`);
  return n;
}

function idList(flag: string, raw: string): number[] {
  return raw.split(',').map((x) => {
    const n = Number(x.trim());
    if (x.trim() === '' || !Number.isInteger(n) || n < 1)
      throw new UsageError(`--${flag}: expected ids like 1,2,3, got "${raw}"`);
    return n;
  });
}

function valueOf(f: Flag, raw: string | boolean): unknown {
  if (f.type === 'boolean') return raw === true;
  const text = String(raw);
  if (f.type === 'int') return wholeNumber(f.flag, text);
  if (f.type === 'ids') return idList(f.flag, text);
  return text;
}

/** The sync a command line asks for: its kind and its checked, canonical parameters. */
export function parseSyncCommand(argv: string[]): { kind: string; params: SyncParams; wait: boolean } {
  const definitions = syncDefinitions();
  const all = definitions.flatMap(flagsOf);
  const options: ParseArgsConfig['options'] = {
    wait: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  };
  for (const f of all) options[f.flag] = { type: f.type === 'boolean' ? 'boolean' : 'string' };
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  if (values.help) throw new UsageError('');
  if (positionals.length !== 1) throw new UsageError('name exactly one kind of sync');
  const definition = definitions.find((d) => d.command === positionals[0]);
  if (!definition) throw new UsageError(`unknown kind "${positionals[0]}"`);
  const flags = flagsOf(definition);
  const params: SyncParams = {};
  for (const [flag, raw] of Object.entries(values) as [string, string | boolean | undefined][]) {
    if (flag === 'wait' || flag === 'help' || raw === undefined) continue;
    const f = flags.find((x) => x.flag === flag);
    if (!f) throw new UsageError(`--${flag} is not an option of ${definition.command}`);
    params[f.param] = valueOf(f, raw);
  }
  try {
    return {
      kind: definition.kind,
      params: prepareParams(definition.kind, params),
      wait: values.wait === true,
    };
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    const problems = (err.details?.problems ?? []) as { property: string; message: string }[];
    const named = problems.map(
      (p) => `--${flags.find((f) => f.param === p.property)?.flag ?? p.property}: ${p.message}`,
    );
    throw new UsageError(named.length ? named.join('; ') : err.message);
  }
}

function usageLine(definition: SyncDefinition): string {
  const shown = flagsOf(definition).map((f) => {
    const value = f.type === 'boolean' ? '' : f.type === 'ids' ? ' 1,2' : f.type === 'int' ? ' N' : ' VALUE';
    return f.required ? `--${f.flag}${value}` : `[--${f.flag}${value}]`;
  });
  return `  ${definition.command.padEnd(15)} ${shown.join(' ')}`.trimEnd();
}

/** The usage text, one line per kind of sync with its flags. */
export function syncUsage(): string {
  return [
    'usage: npm run sync -- <kind> [options] [--wait]',
    '',
    'kinds and their options:',
    ...syncDefinitions().map(usageLine),
    '',
    '  --wait          show progress until the run ends; exit 0 SUCCEEDED, 3 PARTIAL, 1 FAILED',
    '  (exit 69 when the job queue is unavailable: the run is recorded and queued once it is back)',
  ].join('\n');
}
