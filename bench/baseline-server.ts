import Fastify from 'fastify';
import pg from 'pg';

// The physical baselines the benchmark divides by, measured in the same run
// on the same machine: Fastify answering a static JSON route, and Fastify
// doing one parameterised INSERT of the request's JSON per request (autocommit,
// so one durable commit each, as the project's submissions are). No
// validation, no idempotency, no aggregates: the floor any submission path
// stands on.

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set');
const pool = new pg.Pool({ connectionString: url, max: Number(process.env.DB_POOL_MAX ?? 10) });
await pool.query(
  'create table if not exists bench_plain (id bigint generated always as identity primary key, body jsonb not null)',
);

const app = Fastify({ logger: false });
const STATIC = { status: 'ok', service: 'baseline', items: [1, 2, 3] };
app.get('/static', async () => STATIC);
app.post('/plain', async (req, reply) => {
  const { rows } = await pool.query('insert into bench_plain (body) values ($1) returning id', [
    JSON.stringify(req.body),
  ]);
  return reply.code(201).send({ id: rows[0].id, status: 'created' });
});

const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`Server ready: ${address} \n`);
const stop = async () => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
