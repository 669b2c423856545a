// The members the replica's authorization endpoint signs in: found by cust_id or display name, each with its own
// owned content and licences, the account unchanged from the dataset's own `member/info`.
import { datasetAccount, syntheticMembers } from './replica-members.js';
import { syntheticDataset } from './synthetic-dataset.js';

const NOW = new Date('2026-11-19T15:00:00Z');
const WORLD = { seed: 7, scale: 0.5, now: NOW };
const ctx = { baseUrl: 'http://replica.test', now: NOW };
type Info = { cust_id: number; car_packages: unknown[]; track_packages: unknown[]; licenses: unknown };

describe('replica members', () => {
  const members = syntheticMembers(WORLD);
  const dataset = syntheticDataset(WORLD);

  it('gives the account the member/info the dataset serves', () => {
    const account = dataset.resolve('member/info', new URLSearchParams(), ctx) as Info;
    expect(members.sample(1, ctx)[0].custId).toBe(account.cust_id);
    expect(members.info(account.cust_id, ctx)).toEqual(account);
    expect(datasetAccount(dataset).info(account.cust_id, ctx)).toEqual(account);
    expect(datasetAccount(dataset).find(String(account.cust_id), ctx)?.custId).toBe(account.cust_id);
    expect(datasetAccount(dataset).info(account.cust_id + 1, ctx)).toBeUndefined();
  });

  it('gives members their own owned content and licences', () => {
    const sample = members.sample(24, ctx);
    expect(new Set(sample.map((m) => m.custId)).size).toBe(24);
    const infos = sample.map((m) => members.info(m.custId, ctx) as Info);
    infos.forEach((info, i) => expect(info.cust_id).toBe(sample[i].custId));
    expect(new Set(infos.map((i) => JSON.stringify(i.car_packages))).size).toBeGreaterThanOrEqual(20);
    expect(new Set(infos.map((i) => JSON.stringify(i.track_packages))).size).toBeGreaterThanOrEqual(20);
    expect(new Set(infos.map((i) => JSON.stringify(i.licenses))).size).toBe(24);
    // Deterministic: another directory over the same world answers the same.
    expect(syntheticMembers(WORLD).info(sample[5].custId, ctx)).toEqual(infos[5]);
  });

  it('finds members by cust_id or display name, and agrees with member/get', () => {
    const [, m] = members.sample(3, ctx);
    expect(members.find(String(m.custId), ctx)).toEqual(m);
    expect(members.find(` ${m.displayName.toLowerCase()} `, ctx)?.displayName).toBe(m.displayName);
    expect(members.find('99', ctx)).toBeUndefined();
    expect(members.find('Nobody Atall', ctx)).toBeUndefined();
    const got = dataset.resolve('member/get', new URLSearchParams({ cust_ids: String(m.custId) }), ctx) as {
      members: { display_name: string }[];
    };
    expect(got.members[0].display_name).toBe(m.displayName);
  });
});
