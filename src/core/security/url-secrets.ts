// Credentials inside URLs (a database or Redis password, a token in a query string): removed before a URL is
// logged or shown, and listed so that a log line echoing one can be scrubbed.

/**
 * Query parameters whose value is a credential (`?password=`, `&token=`, `?api_key=`, `sslpassword=` …), and, by
 * exact name, an OAuth callback's `code` and `state` (RFC 6749 §4.1.2).
 */
const SECRET_PARAM_RE =
  /([?&;](?:[\w.-]*(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|apikey|key|auth)[\w.-]*|code|state)=)[^&#;\s"']*/gi;
/**
 * The token of a personal calendar feed, which is its path's last segment (`/calendar/<feed token>.ics`,
 * docs/architecture.md §6.9): calendar apps send no headers, so the path is the credential.
 */
const FEED_PATH_RE = /(\/calendar\/)[^/?#\s"']+?(\.ics)?(?=[/?#\s"']|$)/gi;
/** The user information of a URL anywhere in a text: `scheme://user:pass@`, `scheme://:pass@`. */
const USERINFO_RE = /(\b[a-z][a-z0-9+.-]*:\/\/)([^\s/?#:@"']*):([^\s/?#"']*)@/gi;

/**
 * Removes the credentials from every URL in a text: the password of `user:pass@` and `:pass@` (Redis without a
 * user), the value of credential query parameters and the token of a calendar feed's path. Applied before
 * anything is logged or shown.
 */
export function redactUrl(value: string, mask = '***'): string {
  return value
    .replace(USERINFO_RE, (_m, scheme: string, user: string) => `${scheme}${user}:${mask}@`)
    .replace(SECRET_PARAM_RE, (_m, name: string) => `${name}${mask}`)
    .replace(FEED_PATH_RE, (_m, path: string, ics: string | undefined) => `${path}${mask}${ics ?? ''}`);
}

/**
 * The credentials a URL holds (the user-info password and credential query parameters), raw and decoded, so
 * that a log line echoing one of them can be scrubbed.
 */
export function urlSecrets(value: string | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  const add = (v: string) => {
    if (!v) return;
    out.push(v);
    try {
      out.push(decodeURIComponent(v));
    } catch {
      // not percent-encoded
    }
  };
  for (const m of value.matchAll(USERINFO_RE)) add(m[3]);
  for (const m of value.matchAll(SECRET_PARAM_RE)) add(m[0].slice(m[1].length));
  return [...new Set(out)];
}
