// Arguments of the syncRuns query (the inputs of each sync mutation are in its feature's `<feature>.sync.ts`).
import { ArgsType, Field, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsEnum, IsOptional, ValidateNested } from 'class-validator';
import { PageArgs } from '../../core/graphql/pagination.js';
import { SyncKind, SyncStatus, SyncTrigger } from '../sync-run.entity.js';

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
