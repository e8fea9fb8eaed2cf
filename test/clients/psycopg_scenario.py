# test/clients/psycopg_scenario: what a Python psycopg 3 application does, run against one server and printed as
# JSON, so test/integration/clients-python.test.ts can compare nodedb's answers with PostgreSQL 15's (issue 9).
# Usage: /usr/bin/python3 psycopg_scenario.py PORT   (Debian's python3-psycopg; user postgres, database postgres)
# psycopg sends statements without parameters over the simple protocol and with parameters over the extended one
# (text by default, binary for a binary cursor); executemany pipelines the inserts.
import datetime
import decimal
import json
import sys

import psycopg
from psycopg.types import TypeInfo

from scenario_json import plain

# Steps not run yet, each with why. They are printed, so the test shows them.
PENDING = {
    'type_info_fetch': 'TypeInfo.fetch reads its query in binary; typdelim is "char", whose binary codec is '
                       'wire/pg/codecs\' (sessions): its query runs here in a text cursor instead',
    'rollback_after_prepare': 'after prepare=True, psycopg answers a rollback with DEALLOCATE ALL, a session '
                              'statement (sessions): the prepared statements run after the rollbacks here',
    'binary_numeric': 'a binary cursor reads numeric in binary; the numeric binary codec is wire/pg/codecs\' (sessions)',
}

UTC = datetime.timezone.utc
T0 = datetime.datetime(2024, 1, 1, tzinfo=UTC)


def fetched(cursor):
    return {'columns': [[d.name, d.type_code] for d in cursor.description], 'rows': plain(cursor.fetchall())}


def type_info(conn, name):
    """TypeInfo.fetch's own query (t.oid = %(name)s::regtype) in a text cursor: see PENDING['type_info_fetch']."""
    try:
        return fetched(conn.execute(TypeInfo._get_info_query(conn), {'name': name}))
    except psycopg.errors.UndefinedObject as error:
        conn.rollback()
        return error.sqlstate


def server_side_cursors(conn, out):
    """Named cursors: DECLARE (extended protocol, with parameters), Describe of the portal, FETCH FORWARD n, CLOSE."""
    with conn.cursor('pcg_cursor') as cur:
        cur.itersize = 2
        cur.execute('select time, host, v, n from pcg where n >= %s order by time', (1,))
        first = cur.fetchone()
        some = cur.fetchmany(2)
        rest = cur.fetchall()
        out['server_side_cursor'] = [plain(first), [plain(row) for row in some], [plain(row) for row in rest],
                                     [column.name for column in cur.description]]
    with conn.cursor('pcg_binary', binary=True) as cur:
        cur.execute('select time, host, v, n, i from pcg order by time')
        out['server_side_binary'] = [plain(row) for row in cur]
    with conn.cursor('pcg_hold', withhold=True) as cur:
        cur.execute('select n from pcg where n < %s order by n', (4,))
        conn.commit()
        out['server_side_withhold'] = [plain(row) for row in cur.fetchall()]
    conn.commit()


def savepoints(conn, out):
    """conn.transaction() inside a transaction sends SAVEPOINT; a failed inner block rolls back to it and the outer goes on."""
    with conn.transaction():
        try:
            with conn.transaction():
                conn.execute('select * from nosuch')
        except psycopg.errors.UndefinedTable as error:
            out['savepoint_error'] = error.sqlstate
        out['savepoint_after'] = fetched(conn.execute('select count(*) from pcg'))
        with conn.transaction():
            conn.execute("insert into pcg values (%s, 'sp', 1.5, 1, 1)", (T0 + datetime.timedelta(hours=2),))
    out['savepoint_released'] = fetched(conn.execute("select count(*) from pcg where host = 'sp'"))
    conn.commit()


def autocommit_off_writes(conn, out):
    """Autocommit off (psycopg's default): an insert is read back in its transaction, rollback() drops it, and a failed
    inner conn.transaction() rolls back to its savepoint, dropping only the insert made inside it."""
    conn.execute("insert into pcg values (%s, 'ac', 1.0, 100, 1)", (T0 + datetime.timedelta(hours=3),))
    out['autocommit_off_read_own'] = fetched(conn.execute("select count(*) from pcg where host = 'ac'"))
    conn.rollback()
    out['autocommit_off_rolled_back'] = fetched(conn.execute("select count(*) from pcg where host = 'ac'"))
    conn.execute("insert into pcg values (%s, 'ac', 2.0, 101, 1)", (T0 + datetime.timedelta(hours=3),))
    with conn.transaction():
        try:
            with conn.transaction():
                conn.execute("insert into pcg values (%s, 'ac', 3.0, 102, 1)", (T0 + datetime.timedelta(hours=3, seconds=1),))
                raise RuntimeError('undo the inner block')
        except RuntimeError:
            pass
    conn.commit()
    out['savepoint_rollback_after_write'] = fetched(conn.execute("select v from pcg where host = 'ac' order by v"))
    conn.commit()


def copy_steps(conn):
    """cursor.copy: write_row in text and binary, write of raw CSV, a failing COPY, rows read back by COPY TO and SQL."""
    out = {}
    conn.execute('create table pcopy (time timestamptz not null, host text, v double precision, n bigint)')
    conn.commit()
    with conn.cursor() as cur:
        with cur.copy('COPY pcopy FROM STDIN') as copy:
            for k in range(500):
                copy.write_row((T0 + datetime.timedelta(seconds=k), 'h%d' % (k % 3), k * 0.25 if k % 7 else None, k))
        out['text_rowcount'] = cur.rowcount
        with cur.copy('COPY pcopy (time, host, n) FROM STDIN (FORMAT csv)') as copy:
            copy.write('2024-02-01 00:00:00+00,"a,b",1\n2024-02-01 00:00:01+00,,2\n')
        out['csv_rowcount'] = cur.rowcount
        with cur.copy('COPY pcopy (time, host, v, n) FROM STDIN (FORMAT binary)') as copy:
            copy.set_types(['timestamptz', 'text', 'float8', 'int8'])
            for k in range(3):
                copy.write_row((T0 + datetime.timedelta(days=40, seconds=k), 'bin ✓', -1.5 * k, None))
        out['binary_rowcount'] = cur.rowcount
    conn.commit()
    try:
        with conn.cursor() as cur:
            with cur.copy('COPY pcopy FROM STDIN') as copy:
                copy.write('2024-03-01 00:00:00+00\tok\t1\t1\nnot a time\tbad\t1\t1\n')
        out['bad_copy'] = None
    except psycopg.Error as error:
        out['bad_copy'] = [error.sqlstate, error.diag.context]
        conn.rollback()
    out['copied'] = fetched(conn.execute(
        'select host, count(*), sum(v), sum(n), min(time), max(time) from pcopy group by host order by host'))
    with conn.cursor() as cur:
        with cur.copy('COPY (SELECT * FROM pcopy WHERE n < 5 OR n IS NULL ORDER BY time) TO STDOUT') as copy:
            out['copy_to_text'] = b''.join(bytes(data) for data in copy).decode()
        with cur.copy('COPY (SELECT time, host, v, n FROM pcopy WHERE n < 5 ORDER BY time) TO STDOUT (FORMAT binary)') as copy:
            copy.set_types(['timestamptz', 'text', 'float8', 'int8'])
            out['copy_to_binary_rows'] = plain(list(copy.rows()))
    conn.commit()
    return out


def scenario(conn):
    conn.prepare_threshold = None  # no automatic prepares: only the explicit prepare=True below (see PENDING)
    out = {'server_major': conn.info.server_version // 10000}
    out['params'] = fetched(conn.execute(
        'select %s::int as i, %s as b, %s as f, %s as t, %s as ts, %s as o, %s as d, %s as n, %s as small',
        (5, 2 ** 40, 1.5, 'h', T0 + datetime.timedelta(microseconds=5), True, datetime.date(2024, 2, 29),
         decimal.Decimal('1.50'), 7)))
    conn.execute('create table pcg (time timestamptz not null, host text, v double precision, n bigint, i int)')
    conn.commit()
    rows = [(T0 + datetime.timedelta(seconds=10 * k), 'h%d' % (k % 2), k * 1.5, k, k - 2) for k in range(6)]
    with conn.cursor() as cur:
        cur.executemany('insert into pcg values (%s, %s, %s, %s, %s)', rows)
        out['executemany'] = cur.rowcount
    conn.commit()
    out['select'] = fetched(conn.execute(
        'select time, host, v, n from pcg where time >= %s and host = %s order by time', (T0 + datetime.timedelta(seconds=10), 'h1')))
    with conn.cursor(binary=True) as cur:
        cur.execute('select time, host, v, n, i, i > %s as positive from pcg order by time', (0,))
        out['binary'] = fetched(cur)
    out['type_info'] = [type_info(conn, name) for name in ('int4', 'timestamptz', 'text', 'nosuch')]
    conn.commit()  # outside a transaction block conn.transaction() sends BEGIN; inside one, SAVEPOINT (pending below)
    with conn.transaction():
        conn.execute("insert into pcg values (%s, 'tx', 9.5, 9, 9)", (T0 + datetime.timedelta(hours=1),))
    out['after_transaction'] = fetched(conn.execute("select count(*) from pcg where host = 'tx'"))
    try:
        conn.execute('select * from nosuch')
        out['error'] = None
    except psycopg.Error as error:
        out['error'] = error.sqlstate
        conn.rollback()
    out['after_error'] = fetched(conn.execute('select 1 as one'))
    server_side_cursors(conn, out)
    savepoints(conn, out)
    autocommit_off_writes(conn, out)


    out['copy'] = copy_steps(conn)
    # Last: once psycopg has prepared statements, a rollback sends DEALLOCATE ALL (PENDING['rollback_after_prepare']).
    out['prepared'] = [fetched(conn.execute('select host, count(*) from pcg where n >= %s group by host order by host', (n,), prepare=True))
                       for n in (0, 3, 4)]
    return out


def main():
    port = int(sys.argv[1])
    with psycopg.connect(host='127.0.0.1', port=port, user='postgres', dbname='postgres') as conn:
        result = scenario(conn)
    print(json.dumps({'result': result, 'pending': PENDING}, sort_keys=True))


main()
