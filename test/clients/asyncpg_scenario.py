# test/clients/asyncpg_scenario: what a Python asyncpg application does, run against one server and printed as JSON,
# so test/integration/clients-python.test.ts can compare nodedb's answers with PostgreSQL 15's (issue 9).
# Usage: /usr/bin/python3 asyncpg_scenario.py PORT   (Debian's python3-asyncpg; user postgres, database postgres)
# asyncpg uses only prepared statements (Parse + Describe S) and binary formats for nearly every type.
import asyncio
import datetime
import json
import sys

import asyncpg

from scenario_json import plain

# Steps not run yet, each with why. They are printed, so the test shows them.
PENDING = {
    'numeric': 'asyncpg sends and reads numeric in binary; the numeric binary codec is wire/pg/codecs\' (sessions)',
    'copy': 'copy_records_to_table is COPY, another helper\'s work',
}

UTC = datetime.timezone.utc
T0 = datetime.datetime(2024, 1, 1, tzinfo=UTC)


async def scenario(port):
    out = {}
    conn = await asyncpg.connect(host='127.0.0.1', port=port, user='postgres', database='postgres')
    out['server_major'] = conn.get_server_version().major
    out['params'] = plain(await conn.fetch(
        'select $1::int as i, $2::bigint as b, $3::float8 as f, $4::text as t, $5::timestamptz as ts, '
        '$6::bool as o, $7::date as d, $8::interval as iv, $9::int2 as s, $10::float4 as r',
        5, 2 ** 40, 1.5, 'h', T0 + datetime.timedelta(microseconds=123456), True, datetime.date(2024, 2, 29),
        datetime.timedelta(days=1, seconds=5), 3, 0.25))
    await conn.execute('create table apg (time timestamptz not null, host text, v double precision, n bigint)')
    rows = [(T0 + datetime.timedelta(seconds=10 * k), 'h%d' % (k % 2), k * 1.5, k) for k in range(6)]
    out['executemany'] = await conn.executemany('insert into apg values ($1, $2, $3, $4)', rows)
    out['select'] = plain(await conn.fetch(
        'select time, host, v, n from apg where time >= $1 and host = $2 order by time', T0 + datetime.timedelta(seconds=10), 'h1'))
    stmt = await conn.prepare('select host, count(*) as c, max(v) as m, min(time) as t from apg where n >= $1 group by host order by host')
    out['prepared_types'] = [[p.name for p in stmt.get_parameters()], [[a.name, a.type.name] for a in stmt.get_attributes()]]
    out['prepared'] = [plain(await stmt.fetch(0)), plain(await stmt.fetch(3))]
    out['fetchrow'] = plain(await conn.fetchrow('select n, v from apg order by n desc limit 1'))
    out['fetchval'] = await conn.fetchval('select count(*) from apg')
    async with conn.transaction():
        await conn.execute("insert into apg values ($1, 'tx', 9.5, 9)", T0 + datetime.timedelta(hours=1))
        out['cursor'] = [plain(row) async for row in conn.cursor('select n, time from apg order by time', prefetch=2)]
    out['after_transaction'] = await conn.fetchval("select count(*) from apg where host = 'tx'")
    try:
        await conn.fetch('select * from nosuch')
        out['error'] = None
    except asyncpg.PostgresError as error:
        out['error'] = error.sqlstate
    out['after_error'] = await conn.fetchval('select 1')
    # text[] both ways in binary; name[] (current_schemas) is outside asyncpg's codecs, so it introspects the type
    # first (a binary oid[] parameter, "char" columns read in binary).
    out['text_array'] = plain(await conn.fetch('select $1::text[] as a, array_length($1::text[], 1) as n', ['a', None, 'b c']))
    out['type_introspection'] = plain(await conn.fetchval('select current_schemas(false)'))
    await conn.close()
    # A Pool resets each released connection: pg_advisory_unlock_all(), CLOSE ALL, UNLISTEN *, RESET ALL.
    async with asyncpg.create_pool(host='127.0.0.1', port=port, user='postgres', database='postgres', min_size=1, max_size=1) as pool:
        out['pool'] = []
        for _ in range(2):
            async with pool.acquire() as pooled:
                await pooled.execute("set application_name = 'pooled'")
                out['pool'].append(await pooled.fetchval("select current_setting('application_name')"))
    return out


def main():
    port = int(sys.argv[1])
    print(json.dumps({'result': asyncio.run(scenario(port)), 'pending': PENDING}, sort_keys=True))


main()
