"""JSON text for JSON columns and hashes: orjson's text where it writes what ``json`` writes."""
import json
import math

from hypothesis import given
from hypothesis import strategies as st

from server import jsontext

COMPACT = {"separators": (",", ":"), "ensure_ascii": False}
# What the catalog, the ads and the events store: text of any kind, 64-bit integers, cents.
scalars = (st.none() | st.booleans() | st.text() | st.integers(-2**63, 2**63 - 1)
           | st.decimals(min_value=0, max_value=10**20, places=2).map(float))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20)


@given(values)
def test_text_and_bytes_are_what_json_writes(value):
    expected = json.dumps(value, **COMPACT)
    assert jsontext.dumps(value) == expected
    assert jsontext.dumps_bytes(value) == expected.encode("utf-8")
    assert jsontext.loads(jsontext.dumps(value)) == value


def test_values_orjson_refuses_still_store():
    for value in ({1: "a", None: "b"}, 2**70, [{"deep": -2**64}], "\ud800"):
        assert jsontext.dumps(value) == json.dumps(value, **COMPACT)
        assert jsontext.dumps_bytes(value) == json.dumps(value, **COMPACT).encode("utf-8", "surrogatepass")


def test_text_stored_by_json_reads_back():
    assert math.isnan(jsontext.loads('{"x": NaN}')["x"])  # json.dumps wrote NaN before
    assert jsontext.loads('["\\ud800"]') == ["\ud800"]  # a lone surrogate, as json writes it
    assert jsontext.loads(b'{"a": [1, 2.5, "\xc3\xa9"]}') == {"a": [1, 2.5, "é"]}
