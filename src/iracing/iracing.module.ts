// Provides the one shared IracingClient, and IracingOAuth for racers' own logins.
import { Global, Module } from '@nestjs/common';
import { IracingOAuth } from './iracing-oauth.js';
import { IracingClient } from './iracing.client.js';

@Global()
@Module({ providers: [IracingClient, IracingOAuth], exports: [IracingClient, IracingOAuth] })
export class IracingModule {}
