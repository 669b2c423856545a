// The parameters every import takes (docs/architecture.md §4.12), for the features' params classes to extend; as
// GraphQL input fields too, so a mutation's input inherits them.
import { Field, InputType } from '@nestjs/graphql';
import { IsBoolean, IsOptional } from 'class-validator';

@InputType({ isAbstract: true })
export class ImportParams {
  @Field({ nullable: true, description: 'Re-import even when the payloads are unchanged.' })
  @IsOptional()
  @IsBoolean()
  refresh?: boolean;

  @Field({ nullable: true, description: 'Run the whole import and roll it back, returning the counts.' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}
