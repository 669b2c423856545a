// Provides the one shared IracingClient.
import { Global, Module } from '@nestjs/common';
import { IracingClient } from './iracing.client.js';

@Global()
@Module({ providers: [IracingClient], exports: [IracingClient] })
export class IracingModule {}
