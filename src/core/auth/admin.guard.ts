// Admin guard for every mutation: `Authorization: Bearer <key>`, where ADMIN_API_KEYS holds the SHA-256 hex
// digests of the accepted keys. Compared in constant time; the key itself is never logged or echoed.
import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import { UnauthenticatedError } from '../errors/domain-error.js';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** True when `presented` hashes to one of `hashes`; every hash is compared, in constant time. */
export function keyMatches(presented: string, hashes: string[]): boolean {
  const digest = Buffer.from(sha256Hex(presented), 'hex');
  let ok = false;
  for (const h of hashes) {
    const expected = Buffer.from(h, 'hex');
    if (expected.length === digest.length && timingSafeEqual(expected, digest)) ok = true;
  }
  return ok;
}

export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return /^Bearer\s+(\S+)\s*$/i.exec(value ?? '')?.[1];
}

@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const req =
      context.getType<string>() === 'graphql'
        ? GqlExecutionContext.create(context).getContext<{ req: { headers: Record<string, string> } }>().req
        : context.switchToHttp().getRequest<{ headers: Record<string, string> }>();
    const key = bearerToken(req?.headers?.authorization);
    if (!key) throw new UnauthenticatedError();
    if (!keyMatches(key, this.config.adminKeyHashes))
      throw new UnauthenticatedError('The admin API key is not valid');
    return true;
  }
}
