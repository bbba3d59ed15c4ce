"""Big imports on PostgreSQL: the planner learns the store's size as its catalog fills."""
import io
import re

import pytest
from sqlalchemy import text

from server.catalog import service
from server.catalog.intake.products import PlannerStats
from tests.factories import make_store

HEADER = "id,title,description,link,image_link,price,availability,condition,brand\n"


def feed(count):
    return (HEADER + "".join(f"S-{n},Camiseta {n},Algodao,https://loja.example.com/p/{n},"
                             f"https://loja.example.com/{n}.jpg,59.90 BRL,in stock,new,Acme\n"
                             for n in range(count))).encode()


def rows_expected(session, store):
    """How many products the planner believes the store has."""
    plan = session.execute(text("EXPLAIN SELECT id FROM catalog_products WHERE store_id = :store"),
                           {"store": store.id}).scalars().first()
    return int(re.search(r"rows=(\d+)", plan).group(1))


def test_sku_lookups_keep_to_the_store_and_sku_index_while_a_catalog_fills(session, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite's planner uses the unique index without statistics")
    make_store(name="Vizinha")  # the table's statistics exist before this store has a product
    session.execute(text("ANALYZE catalog_products"))
    store = make_store()

    count = PlannerStats.FIRST * PlannerStats.GROWTH + 1000
    service.import_feed(session, store, io.BytesIO(feed(count)))

    # With the statistics of before, the planner expects almost no rows for this store and looks
    # each chunk of SKUs up by reading all of them through the (store, state) index: the import
    # gets slower with every chunk. Analyzed as it grows, it knows better.
    assert rows_expected(session, store) > count / 2
