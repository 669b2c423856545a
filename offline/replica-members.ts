// The members the offline replica's authorization endpoint can sign in, and what `member/info` answers for a token
// issued to one of them (docs/architecture.md §5.1; DESIGN "Racers' own accounts"). `syntheticMembers` serves
// every member of the synthetic world, each with its own licences and owned content; `datasetAccount` only the
// account a dataset's own `member/info` describes (a recorded dataset knows no one else).
import type { DatasetContext, ReplicaDataset } from './datasets.js';
import type { SyntheticOptions } from './synthetic-dataset.js';
import { memberInfo } from './synthetic/members.js';
import { World } from './synthetic/world.js';

export interface MemberRef {
  custId: number;
  displayName: string;
}

export interface ReplicaMembers {
  /** The member a login hint names: a cust_id, or a display name (case-insensitive; the first such member). */
  find(hint: string, ctx: DatasetContext): MemberRef | undefined;
  /** A few members to offer on the sign-in page. */
  sample(count: number, ctx: DatasetContext): MemberRef[];
  /** `/data/member/info` of this member; undefined for a 404. */
  info(custId: number, ctx: DatasetContext): unknown;
}

/**
 * Every member of the synthetic world built from these options (the same options as the `syntheticDataset` the
 * replica serves, so that the cust_ids agree with `member/get` and `stats/*`). The world is built on first use.
 */
export function syntheticMembers(options: SyntheticOptions = {}): ReplicaMembers {
  const settled = { ...options, now: options.now ?? new Date() };
  let built: World | undefined;
  const world = () => (built ??= new World(settled));
  const ref = (index: number): MemberRef => {
    const m = world().members.member(index);
    return { custId: m.custId, displayName: m.displayName };
  };
  return {
    find: (hint) => {
      const text = hint.trim();
      const pool = world().members;
      if (/^\d+$/.test(text)) {
        const index = pool.indexOf(Number(text));
        return index === undefined ? undefined : ref(index);
      }
      const name = text.toLowerCase();
      if (!name) return undefined;
      for (let i = 0; i < pool.size; i++)
        if (pool.member(i).displayName.toLowerCase() === name) return ref(i);
      return undefined;
    },
    sample: (count) => {
      const pool = world().members;
      const out = [pool.accountIndex];
      for (let k = 1; out.length < Math.min(count, pool.size); k++) {
        const index = Math.floor((k * pool.size) / count + k) % pool.size;
        if (!out.includes(index)) out.push(index);
      }
      return out.map(ref);
    },
    info: (custId) => {
      const w = world();
      const index = w.members.indexOf(custId);
      if (index === undefined) return undefined;
      const top = w.members.seriesOf(index)[0];
      const season = top ? w.season(top, w.anchorQi) : undefined;
      return memberInfo(w.members, w.catalog, season?.seasonId ?? 0, w.seed, index);
    },
  };
}

/** Only the account of the dataset's own `member/info`. */
export function datasetAccount(dataset: ReplicaDataset): ReplicaMembers {
  const account = (ctx: DatasetContext): { ref: MemberRef; info: unknown } | undefined => {
    const info = dataset.resolve('member/info', new URLSearchParams(), ctx) as
      { cust_id?: unknown; display_name?: unknown } | undefined;
    if (typeof info?.cust_id !== 'number') return undefined;
    return { ref: { custId: info.cust_id, displayName: String(info.display_name ?? info.cust_id) }, info };
  };
  return {
    find: (hint, ctx) => {
      const a = account(ctx);
      const text = hint.trim().toLowerCase();
      return a && (text === String(a.ref.custId) || text === a.ref.displayName.toLowerCase())
        ? a.ref
        : undefined;
    },
    sample: (count, ctx) => {
      const a = account(ctx);
      return a && count > 0 ? [a.ref] : [];
    },
    info: (custId, ctx) => {
      const a = account(ctx);
      return a?.ref.custId === custId ? a.info : undefined;
    },
  };
}

/** Endpoints whose answer, without a cust_id, is about the member the token belongs to. */
export const ME_ENDPOINTS = new Set([
  'member/awards',
  'member/chart_data',
  'member/participation_credits',
  'member/profile',
  'stats/member_bests',
  'stats/member_career',
  'stats/member_division',
  'stats/member_recap',
  'stats/member_recent_races',
  'stats/member_summary',
  'stats/member_yearly',
]);
