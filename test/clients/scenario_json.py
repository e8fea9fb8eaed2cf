# test/clients/scenario_json: the JSON form the Python client scenarios print (asyncpg_scenario.py,
# psycopg_scenario.py): every value with the Python type its driver decoded it to, so two servers' answers compare
# exactly in test/integration/clients-python.test.ts.
import datetime
import decimal


def plain(value):
    """A JSON-able form that keeps the decoded type and value (a float by repr, a datetime with its offset)."""
    if hasattr(value, 'items') and not isinstance(value, dict):  # asyncpg.Record
        return [[key, plain(item)] for key, item in value.items()]
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, datetime.datetime):
        return ['datetime', value.isoformat(), value.utcoffset().total_seconds() if value.tzinfo else None]
    if isinstance(value, (datetime.date, datetime.time)):
        return [type(value).__name__, value.isoformat()]
    if isinstance(value, datetime.timedelta):
        return ['timedelta', value.days, value.seconds, value.microseconds]
    if isinstance(value, decimal.Decimal):
        return ['Decimal', str(value)]
    if isinstance(value, float):
        return ['float', repr(value)]
    return value
