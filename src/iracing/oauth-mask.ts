// iRacing's OAuth2 `password_limited` grant sends the client secret and the password masked:
// base64(sha256(secret + normalise(id))), normalise = trim + lower-case; `id` is the client id for the
// secret and the username for the password (DESIGN §5).
import { createHash } from 'node:crypto';

export function maskSecret(secret: string, id: string): string {
  return createHash('sha256')
    .update(secret + id.trim().toLowerCase())
    .digest('base64');
}
