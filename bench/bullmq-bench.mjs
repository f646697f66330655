// BullMQ side of bench/queue-vs-bullmq.sh: the same scenarios as perfkit-queue's
// examples/queue_bench.rs, on the same redis-server.
//   node bench/bullmq-bench.mjs PORT SCENARIO JOBS
// Prints `SCENARIO JOBS SECONDS JOBS_PER_S`.
import { Queue, Worker } from 'bullmq';

const [port, scenario, jobsText] = process.argv.slice(2);
const jobs = Number(jobsText);
const connection = { host: '127.0.0.1', port: Number(port), maxRetriesPerRequest: null };
const queue = new Queue('bench', { connection });
const data = { foo: 'bar' };

async function fill() {
  for (let done = 0; done < jobs; done += 1000) {
    const n = Math.min(1000, jobs - done);
    await queue.addBulk(Array.from({ length: n }, () => ({ name: 'job', data })));
  }
}

let start;
let seconds;
if (scenario === 'add-one') {
  start = process.hrtime.bigint();
  for (let i = 0; i < jobs; i++) await queue.add('job', data);
} else if (scenario === 'add-bulk-100') {
  start = process.hrtime.bigint();
  for (let i = 0; i < Math.ceil(jobs / 100); i++) {
    await queue.addBulk(Array.from({ length: 100 }, () => ({ name: 'job', data })));
  }
} else if (scenario.startsWith('process-c')) {
  const concurrency = Number(scenario.slice('process-c'.length));
  await fill();
  let completed = 0;
  let finish;
  const finished = new Promise((resolve) => { finish = resolve; });
  start = process.hrtime.bigint();
  const worker = new Worker('bench', async () => {}, { connection, concurrency });
  worker.on('completed', () => { if (++completed === jobs) finish(); });
  await finished;
  seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await worker.close();
} else {
  throw new Error(`unknown scenario ${scenario}`);
}
if (seconds === undefined) seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(`${scenario} ${jobs} ${seconds.toFixed(3)} ${Math.round(jobs / seconds)}`);
await queue.close();
