// Setting up a harness the way several end-to-end tests need it: the catalog and the seasons synced through their
// mutations, and a racer linked through the authorization code flow (start, the replica's authorize page, the
// callback's code, complete), their first sync over.
import { ADMIN_KEY, registerLogSecret } from './harness.js';
import type { Harness } from './harness.js';

type Raw = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Runs the catalog and seasons syncs to their end; throws with their errors when one did not succeed. */
export async function syncCatalogAndSeasons(h: Harness): Promise<void> {
  for (const m of ['syncCatalog', 'syncSeasons']) {
    const r = await h.data<Raw>(`mutation { ${m} { id } }`, {}, ADMIN_KEY);
    const done = await h.waitForRun(r[m].id, 120_000);
    if (done.status !== 'SUCCEEDED') throw new Error(`${m}: ${JSON.stringify(done.errors)}`);
  }
}

/**
 * Links the replica's member `custId` (redirect URI `redirect`, on the harness's allow-list) and waits for their
 * first sync; the code and the viewer token are registered as secrets the log scan must not find (`label` says
 * whose).
 */
export async function linkRacer(
  h: Harness,
  custId: number,
  redirect: string,
  label: string,
): Promise<{ custId: number; token: string }> {
  const start = await h.data<Raw>(
    `mutation($r: String!) { startIracingLink(redirectUri: $r) { authorizeUrl } }`,
    { r: redirect },
  );
  const url = new URL(start.startIracingLink.authorizeUrl);
  url.searchParams.set('login_hint', String(custId));
  const back = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '');
  registerLogSecret(`an authorization code (${label})`, back.searchParams.get('code') ?? '');
  const done = await h.data<Raw>(
    `mutation($s: String!, $c: String!) { completeIracingLink(state: $s, code: $c) { custId viewerToken firstSync { id } } }`,
    { s: back.searchParams.get('state'), c: back.searchParams.get('code') },
  );
  const { viewerToken, firstSync } = done.completeIracingLink;
  registerLogSecret(`a viewer token (${label})`, viewerToken);
  await h.waitForRun(firstSync.id, 60_000);
  return { custId: done.completeIracingLink.custId as number, token: viewerToken as string };
}
