// The sync registry without a database: parameters checked and canonical once, the command line derived from
// the params class, flags named in every message.
import 'reflect-metadata';
import { Injectable } from '@nestjs/common';
import { ArrayMaxSize, IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { BadInputError } from '../core/errors/domain-error.js';
import { ImportReport } from '../core/import/import-report.js';
import { parseSyncCommand, syncUsage, UsageError } from './sync-cli.js';
import { defineSync, prepareParams, queueNameOf, SyncKind, syncDefinition } from './sync-definition.js';
import { MEMBER_SYNC_QUEUE, SYNC_QUEUE } from './sync.queue.js';
import type { SyncHandler } from './sync-definition.js';

class ProbeParams {
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;

  @IsOptional()
  @ArrayMaxSize(3)
  @IsInt({ each: true })
  @Min(1, { each: true })
  widgetIds?: number[];

  @IsInt()
  @Min(1)
  @Max(9)
  level: number;
}

@Injectable()
class ProbeSync implements SyncHandler<ProbeParams> {
  run(): Promise<ImportReport> {
    return Promise.resolve(new ImportReport());
  }
}

const PROBE = defineSync({
  kind: 'PROBE',
  command: 'probe',
  params: ProbeParams,
  handler: ProbeSync,
  flags: { 'widget-id': 'widgetIds' },
  check: (p) => {
    if (p.dryRun && p.level > 5) throw new BadInputError('a dry run goes up to level 5');
  },
});

describe('sync definitions', () => {
  it('registers the kind in the SyncKind enum once', () => {
    expect(SyncKind.PROBE).toBe('PROBE');
    expect(syncDefinition('PROBE')).toBe(PROBE);
    expect(() => defineSync({ ...PROBE })).toThrow(/defined twice/);
    expect(() => syncDefinition('NOPE')).toThrow(/unknown kind of sync "NOPE"/);
  });

  it('stores parameters in one canonical form: ids sorted and unique, nothing undefined or empty', () => {
    expect(prepareParams('PROBE', { level: 2, widgetIds: [3, 1, 3], dryRun: undefined })).toEqual({
      level: 2,
      widgetIds: [1, 3],
    });
    expect(Object.keys(prepareParams('PROBE', { widgetIds: [], level: 1 }))).toEqual(['level']);
  });

  it('refuses unknown parameters, invalid values and broken rules, naming each', () => {
    expect(() => prepareParams('PROBE', { level: 1, colour: 'red' })).toThrow(
      /property colour should not exist/,
    );
    expect(() => prepareParams('PROBE', { level: 10 })).toThrow(/level must not be greater than 9/);
    expect(() => prepareParams('PROBE', {})).toThrow(BadInputError);
    expect(() => prepareParams('PROBE', { level: 6, dryRun: true })).toThrow(/up to level 5/);
  });

  it('derives the command line from the params class', () => {
    expect(parseSyncCommand(['probe', '--level', '4', '--widget-id', '7,2', '--dry-run'])).toEqual({
      kind: 'PROBE',
      params: { level: 4, widgetIds: [2, 7], dryRun: true },
      wait: false,
    });
    expect(() => parseSyncCommand(['probe'])).toThrow(UsageError);
    expect(() => parseSyncCommand(['probe', '--level', '12'])).toThrow(
      /--level: level must not be greater than 9/,
    );
    expect(() => parseSyncCommand(['probe', '--level', '1', '--widget-id', '1,x'])).toThrow(/--widget-id/);
    expect(() => parseSyncCommand(['probe', '--level', '1', '--colour', 'red'])).toThrow();
    expect(syncUsage()).toMatch(/probe +\[--dry-run\] \[--widget-id 1,2\] --level N/);
  });

  it('sends a kind acting as one member to the member queue, every other kind to the sync queue', () => {
    defineSync({
      kind: 'PROBE_MEMBER',
      command: 'probe-member',
      params: ProbeParams,
      handler: ProbeSync,
      queue: 'member',
    });
    expect(queueNameOf('PROBE_MEMBER')).toBe(MEMBER_SYNC_QUEUE);
    expect(queueNameOf('PROBE')).toBe(SYNC_QUEUE);
    expect(MEMBER_SYNC_QUEUE).not.toBe(SYNC_QUEUE);
  });
});
