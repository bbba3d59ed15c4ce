"""Fuzz the JSON API from its own OpenAPI document: valid and invalid input, never a server error,
always a documented status with a body matching its schema.

``fuzz_operations`` is reusable: a feature that documents its own /api/v1 operations fuzzes them
from its tests with the paths it added.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from server.api import openapi
from tests.accounts import bearer, cheap_hashing, make_api_key  # noqa: F401
from tests.factories import make_store

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 15  # per operation and mode: enough to shake out type errors, small enough to stay quick


def fuzz_operations(app, store, key, paths, mode):
    """Fuzz the documented operations under ``paths`` (relative to /api/v1) as the store's API key."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    chosen = [operation for operation in operations if operation.path in paths]
    assert chosen, f"none of {sorted(paths)} is documented"
    for operation in chosen:
        fixed = {"key": store.public_key} if "{key}" in operation.path else None
        _fuzz(operation, mode, fixed, key)
    return chosen


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_the_api_answers_fuzzed_requests_as_documented(app, session, mode):
    store = make_store(platform="generic")
    _, key = make_api_key(store)
    own_paths = set(openapi.document("https://connector.test", "session")["paths"])
    assert len(fuzz_operations(app, store, key, own_paths, mode)) >= 5


def _fuzz(operation, mode, path_parameters, key):
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def run(case):
        response = case.call(headers=bearer(key))
        case.validate_response(response, checks=CHECKS)

    run()


SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
JSON_VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3), st.dictionaries(st.text(max_size=6), SCALARS,
                                                                                max_size=2))
TOP_FIELDS = ["name", "domains", "platform", "country", "currency", "phone", "key", "tiktok"]
PIXEL_FIELDS = ["code", "enabled", "events", "order_event", "consent_mode", "advanced_matching", "live"]
# One field at a time reaches the store rules (a body with any badly typed field stops before them).
ANY_CHANGE = st.one_of(
    st.dictionaries(st.sampled_from(TOP_FIELDS), JSON_VALUES, min_size=1, max_size=1),
    st.dictionaries(st.sampled_from(PIXEL_FIELDS), JSON_VALUES, min_size=1, max_size=1).map(
        lambda pixel: {"pixel": pixel}),
    st.dictionaries(st.sampled_from(TOP_FIELDS), JSON_VALUES, max_size=3),
    st.builds(lambda top, pixel: {**top, "pixel": pixel}, st.dictionaries(st.sampled_from(TOP_FIELDS), JSON_VALUES,
                                                                          max_size=2), JSON_VALUES),
)


def test_any_json_in_any_setting_is_accepted_or_refused_field_by_field(client, session):
    store = make_store()
    _, key = make_api_key(store)
    url = f"/api/v1/stores/{store.public_key}"

    @settings(max_examples=100, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(body=ANY_CHANGE)
    def run(body):
        response = client.patch(url, json=body, headers=bearer(key))
        assert response.status_code in (200, 422), (body, response.get_data(as_text=True))
        if response.status_code == 422:
            assert response.get_json()["error"]["fields"]

    run()
