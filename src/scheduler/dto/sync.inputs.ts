// Inputs of the sync mutations and the syncRuns query.
import { ArgsType, Field, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsBoolean, IsEnum, IsOptional, ValidateNested } from 'class-validator';
import { PageArgs } from '../../core/graphql/pagination.js';
import { SyncKind, SyncStatus, SyncTrigger } from '../sync-run.entity.js';

@InputType()
export class SyncCatalogInput {
  @Field({ nullable: true, description: 'Re-import even when the payloads are unchanged.' })
  @IsOptional()
  @IsBoolean()
  refresh?: boolean;

  @Field({ nullable: true, description: 'Run the whole import and roll it back, returning the counts.' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

@InputType()
export class SyncRunFilter {
  @Field(() => SyncKind, { nullable: true })
  @IsOptional()
  @IsEnum(SyncKind)
  kind?: SyncKind;

  @Field(() => SyncStatus, { nullable: true })
  @IsOptional()
  @IsEnum(SyncStatus)
  status?: SyncStatus;

  @Field(() => SyncTrigger, { nullable: true })
  @IsOptional()
  @IsEnum(SyncTrigger)
  trigger?: SyncTrigger;
}

@ArgsType()
export class SyncRunsArgs extends PageArgs {
  @Field(() => SyncRunFilter, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => SyncRunFilter)
  filter?: SyncRunFilter;
}
