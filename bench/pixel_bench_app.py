"""The production app plus two baseline routes the pixel benchmark compares against.

- /bench/bare: a Flask view returning fixed bytes (the floor any Flask endpoint pays);
- /bench/naive/<key>.js: what a straightforward implementation does: read the store from the
  database on every request and build the script from it.
"""
import os

from flask import Response

from server.app import create_app
from server.extensions import db
from server.pixel.representation import public_config
from server.stores.service import find_store
from snippets import render_loader

app = create_app()
BARE_BODY = b"x" * int(os.environ.get("BENCH_BARE_BYTES", "2000"))


@app.get("/bench/bare")
def bare():
    return Response(BARE_BODY, mimetype="application/javascript")


@app.get("/bench/naive/<key>.js")
def naive(key):
    store = find_store(db.session, key)
    if store is None:
        return Response(status=404)
    return Response(render_loader(public_config(store)), mimetype="application/javascript")
