// `npm run bench:chaos`: the fault scenario (bench/chaos.ts) at synthetic scale 1 (CHAOS_SCALE to change):
// a clean full sync, then the same under injected faults, a shared rate-limit budget, a maintenance window and a
// worker killed with SIGKILL (both at a defined iRacing request, see chaos.ts); prints both phases, the faults
// served, every run's outcome and the table-by-table comparison. Exits 1 when the databases differ, a run is
// left active, the killed run did not end SUCCEEDED, or the replica answered a 429 for an overspent budget.
import { runChaos } from './chaos.js';

const scale = Number(process.env.CHAOS_SCALE ?? 1);
const faultRate = Number(process.env.CHAOS_FAULT_RATE ?? 0.03);
const [limit, windowMs] = (process.env.CHAOS_RATE_LIMIT ?? '30/1000').split('/').map(Number);

async function main(): Promise<void> {
  const r = await runChaos({ scale, faultRate, rateLimit: { limit, windowMs }, log: (l) => console.log(l) });
  const f = r.faulty;
  const calls = (s: typeof f.replica) => Object.values(s.dataRequests).reduce((a, b) => a + b, 0);
  console.log(`\nclean: ${(r.clean.ms / 1000).toFixed(1)} s, ${calls(r.clean.replica)} iRacing calls`);
  console.log(
    `faulty: ${(f.ms / 1000).toFixed(1)} s, ${calls(f.replica)} iRacing calls, ${f.replica.faultsServed} faults ` +
      `served ${JSON.stringify(f.replica.faultsByKind)}, 429s for an overspent budget: ${f.replica.overBudget}`,
  );
  if (f.killed)
    console.log(
      `killed: worker ${f.killed.pid} (SIGKILL) during sync run ${f.killed.runId} ${f.killed.kind}, held at ` +
        `${f.killed.request} with ${f.killed.done}/${f.killed.total} past seasons stored`,
    );
  else console.log('killed: no worker');
  console.log(
    `maintenance: ${f.maintenance.served} 503s served` +
      (f.maintenance.runId ? `, delaying sync run ${f.maintenance.runId}` : ', delaying no run'),
  );
  console.log('\nruns of the faulty phase:');
  for (const run of f.runs) {
    const first = run.errors[0] ? `  first error: ${run.errors[0].unit}: ${run.errors[0].message}` : '';
    console.log(
      `  #${run.id} ${run.kind.padEnd(13)} ${run.status.padEnd(9)} attempts ${run.attempts} errors ${run.errors.length}${first}`,
    );
  }
  console.log(
    `repeated after the faults stopped: ${f.repeated.map((x) => `#${x.id} ${x.kind}`).join(', ') || 'none'}`,
  );
  console.log('\n| table | rows (clean) | rows (faulty) | checksum (clean) | checksum (faulty) | equal |');
  console.log('|---|---|---|---|---|---|');
  for (const t of r.clean.tables) {
    const o = f.tables.find((x) => x.table === t.table);
    console.log(
      `| ${t.table} | ${t.rows} | ${o?.rows ?? '-'} | ${t.md5.slice(0, 12)} | ${o?.md5.slice(0, 12) ?? '-'} | ${
        o && o.rows === t.rows && o.md5 === t.md5 ? 'yes' : 'NO'
      } |`,
    );
  }
  const stuck = f.runs.filter((x) => x.status === 'QUEUED' || x.status === 'RUNNING');
  const dishonest = f.runs.filter((x) => x.status !== 'SUCCEEDED' && x.errors.length === 0);
  const takenOver = f.killed && f.runs.find((x) => x.id === f.killed!.runId)?.status === 'SUCCEEDED';
  const ok =
    r.differences.length === 0 &&
    stuck.length === 0 &&
    dishonest.length === 0 &&
    f.replica.overBudget === 0 &&
    Boolean(takenOver);
  console.log(
    `\nverdict: ${ok ? 'the faulty database equals the clean one' : `FAILED ${JSON.stringify(r.differences)}`}`,
  );
  if (!ok) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
