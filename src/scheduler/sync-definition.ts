// What a feature declares about each kind of sync it owns (docs/architecture.md §4): the params class, the
// handler (one of the feature's providers), the id list a long run is split on, the sync that follows it, its
// cron schedules and its command-line name. The scheduler runs every kind through these definitions and knows
// none by name. Parameters are checked once, when a run is queued (mutation, command line, cron or another
// sync alike), and stored in their canonical form: keys sorted, no undefined values, id lists sorted and
// de-duplicated, so equal requests share a dedupe key.
import type { Type } from '@nestjs/common';
import { registerEnumType } from '@nestjs/graphql';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { ValidationError } from 'class-validator';
import { BadInputError } from '../core/errors/domain-error.js';
import type { ImportReport } from '../core/import/import-report.js';
import { MEMBER_SYNC_QUEUE, SYNC_QUEUE } from './sync.queue.js';
import type { SyncQueueName } from './sync.queue.js';

export type SyncParams = Record<string, unknown>;

/** The run a handler works for. */
export interface SyncContext {
  runId: number;
}

/** Runs one kind of sync with its parameters (an instance of the definition's params class). */
export interface SyncHandler<P extends object> {
  run(params: P, ctx: SyncContext): Promise<ImportReport>;
}

export interface SyncCron<P extends object> {
  /** The schedule's name (`Schedule.name`, part of each tick's trigger key). */
  name: string;
  /** The setting that holds its cron expression (for example `CRON_CATALOG`). */
  setting: string;
  params: Partial<P>;
}

export interface SyncDefinition<P extends object = object> {
  /** The `SyncKind` value, for example `CATALOG`. */
  kind: string;
  /** Its parameters, declared with class-validator; may also be the GraphQL input of its mutation. */
  params: Type<P>;
  handler: Type<SyncHandler<P>>;
  /** Rules across parameters; throws a BadInputError naming them. */
  check?: (params: P) => void;
  /** Its name on the command line (`npm run sync -- <command>`). */
  command: string;
  /** Command-line flags that are not a parameter's kebab-case name: flag → parameter. */
  flags?: Record<string, keyof P & string>;
  /** The id list a run is split on when it names more than RUN_SPLIT_SIZE ids. */
  splitOn?: keyof P & string;
  /** The sync queued when a run of this kind finishes with something written. */
  followUp?: (params: P) => { kind: string; params: SyncParams } | null;
  crons?: SyncCron<P>[];
  /** `member`: a sync acting as one linked member, run on the member queue (MEMBER_SYNC_QUEUE). */
  queue?: 'member';
}

const definitions = new Map<string, SyncDefinition>();

/**
 * The kinds of sync (a GraphQL enum), filled by `defineSync` as the features load, before any schema is built.
 * As a type, any kind's name.
 */
export const SyncKind: Record<string, string> = {};
export type SyncKind = string;
registerEnumType(SyncKind, { name: 'SyncKind' });

/** Registers a kind of sync; each feature calls it once per kind, from its `<feature>.sync.ts`. */
export function defineSync<P extends object>(definition: SyncDefinition<P>): SyncDefinition<P> {
  if (definitions.has(definition.kind)) throw new Error(`sync kind ${definition.kind} is defined twice`);
  definitions.set(definition.kind, definition as unknown as SyncDefinition);
  SyncKind[definition.kind] = definition.kind;
  return definition;
}

/** The Bull queue a kind's runs go to. */
export function queueNameOf(kind: string): SyncQueueName {
  return definitions.get(kind)?.queue === 'member' ? MEMBER_SYNC_QUEUE : SYNC_QUEUE;
}

export function syncDefinitions(): SyncDefinition[] {
  return [...definitions.values()];
}

export function syncDefinition(kind: string): SyncDefinition {
  const definition = definitions.get(kind);
  if (!definition) throw new BadInputError(`unknown kind of sync "${kind}"`);
  return definition;
}

/** The messages of class-validator errors, each naming its parameter (nested ones by their path). */
function validationMessages(errors: ValidationError[], path = ''): { property: string; message: string }[] {
  return errors.flatMap((e) => {
    const property = path ? `${path}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ property, message }));
    return [...own, ...validationMessages(e.children ?? [], property)];
  });
}

/** A value in canonical form: id lists sorted and unique, empty lists and undefined values dropped. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === 'number')) return [...new Set(value)].sort((a, b) => a - b);
    return value.map(canonical);
  }
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    const out: SyncParams = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonical((value as SyncParams)[key]);
      if (v !== undefined && !(Array.isArray(v) && v.length === 0)) out[key] = v;
    }
    return out;
  }
  return value;
}

/**
 * Checks a kind's parameters and returns them in canonical form, as a run stores them. Unknown parameters,
 * invalid values and broken rules throw a BadInputError naming each.
 */
export function prepareParams(kind: string, params: SyncParams): SyncParams {
  const definition = syncDefinition(kind);
  const plain = canonical({ ...params }) as SyncParams;
  const instance = plainToInstance(definition.params, plain);
  const problems = validationMessages(
    validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false }),
  );
  if (problems.length)
    throw new BadInputError(`invalid ${kind} sync parameters: ${problems.map((p) => p.message).join('; ')}`, {
      problems,
    });
  definition.check?.(instance);
  return plain;
}

/** A run's stored parameters as an instance of its params class, for its handler. */
export function loadParams<P extends object>(definition: SyncDefinition<P>, params: SyncParams): P {
  return plainToInstance(definition.params, params);
}
