// BullMQ side of bench/queue-vs-bullmq.sh: the same scenarios as perfkit-queue's
// examples/queue_bench.rs, on the same redis-server.
//   node bench/bullmq-bench.mjs PORT SCENARIO JOBS
// Prints `SCENARIO JOBS SECONDS JOBS_PER_S`, then per job over the timed phase (as
// queue_bench does): this process's CPU µs, Redis's CPU µs, Redis commands (those
// inside scripts included) and scripts.
import { Queue, Worker } from 'bullmq';

const [port, scenario, jobsText] = process.argv.slice(2);
const jobs = Number(jobsText);
const connection = { host: '127.0.0.1', port: Number(port), maxRetriesPerRequest: null };
const queue = new Queue('bench', { connection });
const data = { foo: 'bar' };

// Pre-filled in bulks of 1000, or of $QUEUE_BENCH_FILL_CHUNK (as queue_bench does).
const fillChunk = Number(process.env.QUEUE_BENCH_FILL_CHUNK || 1000);

async function fill() {
  for (let done = 0; done < jobs; done += fillChunk) {
    const n = Math.min(fillChunk, jobs - done);
    await queue.addBulk(Array.from({ length: n }, () => ({ name: 'job', data })));
  }
}

async function costs() {
  const client = await queue.client;
  const info = await client.info('all');
  const field = (name) => {
    const line = info.split('\r\n').find((l) => l.startsWith(name));
    return line ? Number(line.slice(name.length).split(',')[0].replace('calls=', '')) : 0;
  };
  const cpu = process.cpuUsage();
  return {
    client: cpu.user + cpu.system,
    redisCpu: (field('used_cpu_user:') + field('used_cpu_sys:')) * 1e6,
    commands: field('total_commands_processed:'),
    scripts: field('cmdstat_evalsha:') + field('cmdstat_eval:'),
  };
}

let start;
let seconds;
let before = await costs();
let after;
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
  before = await costs();
  start = process.hrtime.bigint();
  const worker = new Worker('bench', async () => {}, { connection, concurrency });
  worker.on('completed', () => { if (++completed === jobs) finish(); });
  await finished;
  seconds = Number(process.hrtime.bigint() - start) / 1e9;
  after = await costs();
  await worker.close();
} else {
  throw new Error(`unknown scenario ${scenario}`);
}
if (seconds === undefined) seconds = Number(process.hrtime.bigint() - start) / 1e9;
if (after === undefined) after = await costs();
const per = (key, digits) => ((after[key] - before[key]) / jobs).toFixed(digits);
console.log(`${scenario} ${jobs} ${seconds.toFixed(3)} ${Math.round(jobs / seconds)} ` +
  `${per('client', 1)} ${per('redisCpu', 1)} ${per('commands', 2)} ${per('scripts', 3)}`);
await queue.close();
