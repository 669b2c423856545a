// The masked form of a credential that iRacing's OAuth2 `password_limited` grant sends in place of the client
// secret and the password: base64(sha256(secret + normalise(id))), normalise = trim + lower-case; `id` is the
// client id for the secret and the username for the password (docs/architecture.md §5.1). In core because the log
// scrubber must know these forms as well as the iRacing login that sends them.
import { createHash } from 'node:crypto';

export function maskSecret(secret: string, id: string): string {
  return createHash('sha256')
    .update(secret + id.trim().toLowerCase())
    .digest('base64');
}
