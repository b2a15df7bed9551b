// node-postgres through meshgate: parameterized query ($1, extended protocol), a masked value,
// a refusal (42501) followed by a working query on the same client, 28P01 for bad logins.
// Run by tests/e2e/e2e.py with NODE_PATH pointing at a cache where `npm install pg` put the driver;
// expectations come from the environment. Prints "ok - ..." / "FAIL - ..." lines and "done".
'use strict';
const { Client } = require('pg');

let failed = 0;
function check(desc, cond, detail) {
  if (cond) {
    console.log(`ok - ${desc}`);
  } else {
    failed++;
    console.log(`FAIL - ${desc}${detail ? ': ' + String(detail).replace(/\n/g, ' ') : ''}`);
  }
}

function env(k) {
  const v = process.env[k];
  if (v === undefined) throw new Error(`missing environment variable ${k}`);
  return v;
}

function client(user, password) {
  return new Client({
    host: '127.0.0.1', port: Number(env('MG_PORT')), database: 'mesh', user, password,
    ssl: env('MG_TLS') === '1' ? { rejectUnauthorized: false } : false,
    connectionTimeoutMillis: 10000, query_timeout: 30000,
  });
}

async function expectError(c, sql, params, code, desc) {
  try {
    await c.query(sql, params);
    check(desc, false, 'query succeeded');
  } catch (e) {
    check(`${desc} (${code})`, e.code === code, `${e.code} ${e.message}`);
  }
}

async function main() {
  const c = client('alice', env('MG_PASSWORD'));
  try {
    await c.connect();
    check('alice connects', true);
    const r = await c.query('SELECT id, name, email, phone FROM sales.customers WHERE id = $1', [Number(env('EXPECT_ID'))]);
    check('parameterized query returns one row', r.rows.length === 1, JSON.stringify(r.rows));
    const row = r.rows[0] || {};
    check('e-mail is the keyed hash', row.email === env('EXPECT_EMAIL'), row.email);
    check('name is not masked', row.name === env('EXPECT_NAME'), row.name);
    check('phone is NULL', row.phone === null, row.phone);
    check('SELECT keeps column names', r.fields.map(f => f.name).join(',') === 'id,name,email,phone',
          r.fields.map(f => f.name).join(','));
    await expectError(c, 'SELECT * FROM sales.payouts WHERE id = $1', [4], '42501', 'sales.payouts is refused');
    await expectError(c, 'SELECT * FROM public.customers', [], '42P01', 'public.customers does not resolve');
    const n = await c.query("SELECT count(*)::int AS n FROM sales.customers WHERE region = $1", ['EU']);
    check('the same client works after refusals; count equals the EU count', n.rows[0].n === Number(env('EXPECT_EU_COUNT')),
          JSON.stringify(n.rows));
  } catch (e) {
    check('no unexpected error', false, `${e.code} ${e.message}`);
  } finally {
    await c.end().catch(() => {});
  }
  for (const user of ['alice', 'nosuchuser']) {
    const b = client(user, 'wrong-password');
    try {
      await b.connect();
      check(`bad login for ${user} is refused`, false, 'connected');
      await b.end();
    } catch (e) {
      check(`bad login for ${user} is refused with 28P01`, e.code === '28P01', `${e.code} ${e.message}`);
    }
  }
  console.log('done');
  process.exitCode = failed === 0 ? 0 : 1;
}

const timer = setTimeout(() => { console.log('FAIL - node client timed out'); process.exit(1); }, 50000);
main().finally(() => clearTimeout(timer));
