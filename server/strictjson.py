"""JSON from outside (beacons, webhook and API bodies): read strictly, so a hostile body is refused
with a ``ValueError`` naming where, and never crashes whatever reads it later.

``json.loads`` takes ``NaN`` and ``Infinity``, integers of any length, lone surrogates that no
database will store, and nesting deep enough to raise ``RecursionError`` (not a ``ValueError``),
in ``json.loads`` itself or in the next recursive function that walks the value. orjson refuses the
first three and stops at 1,024 levels without recursing; ``loads`` refuses more than ``MAX_DEPTH``.
"""
import orjson

MAX_DEPTH = 32  # nesting a real beacon, order, product or webhook body never comes near


class UnreadableJSON(ValueError):
    """Raised when a body from outside is not JSON this application will read; says why and where."""


class _Provider:
    """Mixed into Flask's JSON provider (``make_provider``): request bodies are read by ``loads``."""

    def loads(self, s, **kwargs):
        """The value of a request body; raises UnreadableJSON (a ValueError) for hostile or bad JSON."""
        return loads(s)


def loads(data, *, max_depth=MAX_DEPTH):
    """The value of JSON text (bytes or str); raises UnreadableJSON for what is not plain JSON."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise UnreadableJSON(f"not JSON: {error}") from None
    if isinstance(value, (dict, list)):
        _check_depth(value, max_depth)
    return value


def _check_depth(value, max_depth):
    # Iterative, so the check itself cannot recurse too deep.
    level, containers = 1, [value]
    while containers:
        if level > max_depth:
            raise UnreadableJSON(f"not JSON this application reads: nested more than {max_depth} levels deep")
        inner = []
        for container in containers:
            items = container.values() if isinstance(container, dict) else container
            inner.extend(item for item in items if isinstance(item, (dict, list)))
        containers, level = inner, level + 1


def make_provider(app):
    """Flask's JSON provider for ``app``, reading request bodies with ``loads`` (``app.json = ...``)."""
    provider_class = type("StrictJSONProvider", (_Provider, app.json_provider_class), {})
    return provider_class(app)
