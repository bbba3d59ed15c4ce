"""The categories a store's products use, with their counts and whether they are hidden.

A merchant hides a category by its id; feed categories are ``product_type`` paths ("Roupas >
Camisetas", every level an id), so the ids are listed as they are used, never guessed.
"""
from collections import Counter

from sqlalchemy import select

from server.catalog import states
from server.models.catalog import CatalogCategory, CatalogProduct

SEPARATOR = " > "


def category_usage(session, store):
    """[{id, name, products, hidden, hidden_by}] for every category the store's products use or the
    store defined, by id; ``hidden_by`` names the hidden category (itself or a parent) that hides it."""
    counts = Counter()
    rows = session.execute(select(CatalogProduct.category_ids).where(
        CatalogProduct.store_id == store.id, CatalogProduct.removed_at.is_(None))
        .execution_options(yield_per=5000))
    for (category_ids,) in rows:
        counts.update(set(category_ids or ()))
    defined = {c.category_id: c for c in session.execute(
        select(CatalogCategory).where(CatalogCategory.store_id == store.id)).scalars()}
    hidden = states.hidden_categories(session, store.id)
    usage = []
    for category_id in sorted(set(counts) | set(defined)):
        row = defined.get(category_id)
        hidden_by = hidden.get(category_id) or _hidden_ancestor(category_id, hidden)
        usage.append({"id": category_id, "name": row.name if row else category_id.rpartition(SEPARATOR)[2],
                      "products": counts.get(category_id, 0), "hidden": hidden_by is not None,
                      "hidden_by": hidden_by})
    return usage


def _hidden_ancestor(category_id, hidden):
    """The hidden category above a feed path ("A > B" is under "A"), if any."""
    parts = category_id.split(SEPARATOR)
    for end in range(len(parts) - 1, 0, -1):
        name = hidden.get(SEPARATOR.join(parts[:end]))
        if name:
            return name
    return None
