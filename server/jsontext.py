"""JSON text for the database's JSON columns and for hashing: orjson where it can, ``json`` where not.

For the values we store (strings, integers, floats, lists, dicts with text keys, booleans, None)
orjson writes the text ``json.dumps(..., separators=(",", ":"), ensure_ascii=False)`` writes, at
a fraction of the cost; the one difference is floats below 1e-4 (``0.00001`` for ``1e-05``), equal
in value, and NaN or infinities, written as ``null`` (not JSON otherwise). Whatever orjson refuses
(integers beyond 64 bits, keys that are not text) goes through ``json``, and text orjson will not
read (``NaN``, lone surrogates) is read by ``json``, so nothing that was stored before fails now.
"""
import json

import orjson

_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def dumps(value):
    """``value`` as compact JSON text (str)."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return _COMPACT.encode(value)


def dumps_bytes(value):
    """``value`` as compact JSON in UTF-8 bytes (for hashing)."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return _COMPACT.encode(value).encode("utf-8", "surrogatepass")


def loads(text):
    """The value of JSON text (str or bytes)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
