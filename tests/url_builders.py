"""Pytest plugin: build each URL rule's builder once per test session instead of once per app.

The suite builds a new application for almost every test (about 94 routes each), and most of that
time went into Werkzeug generating and compiling two small Python functions per route, the ones
``url_for`` calls. What a builder does depends only on the rule's text, its parts, and the defaults it
fills in (as ``to_url`` writes them), never on the app: it reads its converters from the rule it is
bound to. So the functions are kept by those inputs and bound to each new rule as Werkzeug does.
Production builds one app per process and is left alone.
"""
from werkzeug.routing.rules import Rule

_built = {}


def _key(rule, append_unknown):
    defaults = rule.defaults or {}
    dynamic = {name for is_dynamic, name in rule._trace if is_dynamic}
    filled = tuple((name, rule._converters[name].to_url(value) if name in dynamic else None)
                   for name, value in defaults.items())
    return rule.rule, append_unknown, tuple(rule._trace), filled


def pytest_configure(config):
    original = Rule._compile_builder

    def compile_builder(self, append_unknown=True):
        key = _key(self, append_unknown)
        builder = _built.get(key)
        if builder is None:
            builder = _built[key] = original(self, append_unknown)
        return builder

    Rule._compile_builder = compile_builder
