"""Product sets: products grouped by rules (category, brand, price, availability, custom label),
counted in our own catalog and kept in step with the TikTok product set of the store's catalog.

Rules are stored in TikTok's own shape, ``{"and"|"or": [{"field", "operation", "value"}]}``, so what
we count here and what TikTok selects are the same rules; ``matches`` reads them as TikTok's
docs describe each operation.
"""
import re
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from server import audit
from server.ads import tiktok_rules as rules
from server.ads.errors import AdsUnavailable, InvalidChange
from server.ads.service import advertiser_of, client_for, tiktok_failure
from server.clock import utcnow
from server.connect.state import find_connection
from server.models.ads import AdProductSet
from server.models.catalog import CatalogProduct
from server.tiktok import TikTokError, TikTokRequestError
from server.tiktok import product_sets as api

SUMMARIES = {"ads.set_created": "created a product set", "ads.set_deleted": "deleted a product set",
             "ads.set_changed": "changed a product set"}
OPERATION_WORDS = {"CONTAIN": "is one of", "I_CONTAIN": "is one of (any case)", "EXCLUDE": "is none of",
                   "I_EXCLUDE": "is none of (any case)", "WILDCARD": "contains", "I_WILDCARD": "contains (any case)",
                   "NOT_WILDCARD": "does not contain", "I_NOT_WILDCARD": "does not contain (any case)",
                   "PREFIX": "starts with", "I_PREFIX": "starts with (any case)", "EQUAL": "is",
                   "NOT_EQUAL": "is not", "GT": ">", "GTE": "≥", "LT": "<", "LTE": "≤"}
SHORT_OPERATIONS = {"=": "EQUAL", "==": "EQUAL", "!=": "NOT_EQUAL", ">": "GT", ">=": "GTE", "<": "LT", "<=": "LTE",
                    "IN": "I_CONTAIN", "NOT_IN": "I_EXCLUDE", "CONTAINS": "I_WILDCARD", "STARTS_WITH": "I_PREFIX"}
MAX_VALUE_LENGTH = 500
PURPOSE = "product sets"
# Products on TikTok (or on their way there) are the ones a set can hold.
ON_TIKTOK_STATES = ("pending_review", "listed", "rejected", "uploading")


def parse_rule(field, operation, value):
    """One condition in TikTok's shape from what a merchant typed; InvalidChange says what is wrong."""
    field = (field or "").strip().lower()
    operation = (operation or "").strip().upper().replace(" ", "_")
    operation = SHORT_OPERATIONS.get(operation, operation)
    if field not in rules.SET_FIELDS:
        known = ", ".join(sorted(rules.SET_FIELDS))
        raise InvalidChange(f"products cannot be grouped by {field!r}: use one of {known}", fields={"field": "unknown"})
    if operation not in rules.SET_FIELDS[field]:
        if field in rules.SET_FIELDS and "I_CONTAIN" in rules.SET_FIELDS[field] and operation in ("EQUAL", "NOT_EQUAL"):
            operation = "I_CONTAIN" if operation == "EQUAL" else "I_EXCLUDE"
        else:
            raise InvalidChange(f"{field} can be compared with {', '.join(rules.SET_FIELDS[field])}, not {operation}",
                                fields={"operation": "not allowed"})
    text = str(value if value is not None else "").strip()
    if not text or len(text) > MAX_VALUE_LENGTH:
        raise InvalidChange(f"give a value for {field} (1-{MAX_VALUE_LENGTH} characters)", fields={"value": "missing"})
    if operation in rules.NUMBER_OPERATIONS and field in ("price", "sale_price"):
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0:
            raise InvalidChange(f"{field} is compared with a number, not {text!r}", fields={"value": "not a number"})
        return {"field": field, "operation": operation, "value": float(number)}
    if field in rules.SET_ENUMS:
        wanted = text.upper().replace(" ", "_")
        if wanted not in rules.SET_ENUMS[field]:
            raise InvalidChange(f"{field} is one of {', '.join(rules.SET_ENUMS[field])}", fields={"value": "unknown"})
        return {"field": field, "operation": operation, "value": wanted}
    if operation in rules.LIST_OPERATIONS:
        values = [v.strip() for v in text.split("|") if v.strip()]  # "Shoes|Bags": either
        return {"field": field, "operation": operation, "value": values}
    return {"field": field, "operation": operation, "value": text}


def build_conditions(parsed, *, match_any=False):
    """The ``conditions`` object for parsed rules (all must hold, or any with ``match_any``)."""
    if not parsed:
        raise InvalidChange("a product set needs at least one rule", fields={"where": "missing"})
    total = sum(len(r["value"]) if isinstance(r["value"], list) else 1 for r in parsed)
    if total > rules.SET_VALUES_MAX:
        raise InvalidChange(f"at most {rules.SET_VALUES_MAX} values across all rules", fields={"where": "too many"})
    return {"or" if match_any else "and": list(parsed)}


def check_name(name):
    """A set name TikTok accepts (1-27 characters), stripped."""
    name = re.sub(r"\s+", " ", name or "").strip()
    if not 1 <= len(name) <= rules.SET_NAME_MAX:
        raise InvalidChange(f"name the set in 1 to {rules.SET_NAME_MAX} characters", fields={"name": "length"})
    return name


def describe(conditions):
    """The rules in words: 'product type is one of Shoes and price ≥ 20'."""
    joiner = " or " if "or" in conditions else " and "
    parts = []
    for rule in conditions.get("and") or conditions.get("or") or []:
        value = rule["value"]
        shown = " | ".join(map(str, value)) if isinstance(value, list) else (
            f"{value:g}" if isinstance(value, float) else str(value))
        parts.append(f"{rule['field'].replace('_', ' ')} {OPERATION_WORDS.get(rule['operation'], rule['operation'])} "
                     f"{shown}")
    return joiner.join(parts)


def product_value(data, field):
    """A product's value for a set field, from our normalized product data."""
    value = (data or {}).get(field)
    if field in ("price", "sale_price") and value not in (None, ""):
        try:
            return float(Decimal(str(value)))
        except InvalidOperation:
            return None
    return value


def matches(data, conditions):
    """Whether a product (its normalized data) is in a set with these conditions."""
    clauses = conditions.get("and") or conditions.get("or") or []
    results = (_holds(product_value(data, c["field"]), c["operation"], c["value"]) for c in clauses)
    return all(results) if "and" in conditions else any(results)


def _holds(actual, operation, wanted):
    if operation in rules.NUMBER_OPERATIONS and isinstance(wanted, (int, float)):
        if actual is None:
            return False
        actual = float(actual)
        return {"GT": actual > wanted, "GTE": actual >= wanted, "LT": actual < wanted, "LTE": actual <= wanted,
                "EQUAL": actual == wanted}[operation]
    text = "" if actual is None else str(actual)
    folded = operation.startswith("I_")
    base = operation[2:] if folded else operation
    values = wanted if isinstance(wanted, list) else [wanted]
    if folded:
        text, values = text.casefold(), [str(v).casefold() for v in values]
    else:
        values = [str(v) for v in values]
    if base == "EQUAL":
        return text == values[0]
    if base == "NOT_EQUAL":
        return text != values[0]
    if base == "CONTAIN":
        return text in values
    if base == "EXCLUDE":
        return text not in values
    if base == "WILDCARD":
        return any(v in text for v in values)
    if base == "NOT_WILDCARD":
        return not any(v in text for v in values)
    if base == "PREFIX":
        return any(text.startswith(v) for v in values)
    return False


def _on_tiktok(session, store):
    return session.execute(select(CatalogProduct.sku, CatalogProduct.data).where(
        CatalogProduct.store_id == store.id, CatalogProduct.removed_at.is_(None),
        CatalogProduct.synced_hash.is_not(None)).execution_options(yield_per=2000))


def members(session, store, conditions):
    """SKUs of the store's products on TikTok that the conditions select, sorted."""
    return sorted(sku for sku, data in _on_tiktok(session, store) if matches(data, conditions))


def count_members(session, store, condition_list):
    """How many of the store's products on TikTok each of ``condition_list`` selects (one catalog read)."""
    counts = [0] * len(condition_list)
    for _sku, data in _on_tiktok(session, store):
        for index, conditions in enumerate(condition_list):
            counts[index] += matches(data, conditions)
    return counts


def sets_of_product(session, store, product):
    """Names of the store's product sets that hold ``product`` (a CatalogProduct)."""
    found = session.execute(select(AdProductSet).where(AdProductSet.store_id == store.id)
                            .order_by(AdProductSet.name)).scalars()
    return [s.name for s in found if matches(product.data, s.conditions)]


def _catalog_of(session, store):
    advertiser_of(session, store)  # the same "is the store connected?" answer as the Ads page
    connection = find_connection(session, store)
    if not connection.catalog_id or not connection.bc_id:
        raise AdsUnavailable("the store has no TikTok catalog yet: finish the setup on the TikTok page")
    return client_for(session, store, PURPOSE), connection.bc_id, connection.catalog_id


def find_set(session, store, set_id):
    """One of the store's sets by our id or TikTok's; InvalidChange when it has none such."""
    text = str(set_id or "").strip()
    query = select(AdProductSet).where(AdProductSet.store_id == store.id)
    found = session.execute(query.where(AdProductSet.tiktok_set_id == text)).scalar_one_or_none()
    if found is None and text.isdigit() and len(text) < 10:
        found = session.execute(query.where(AdProductSet.id == int(text))).scalar_one_or_none()
    if found is None:
        raise InvalidChange(f"the store has no product set {text!r}", fields={"set": "not found"})
    return found


def create_set(session, store, actor, name, conditions):
    """Create the set at TikTok and here, audited (committed)."""
    name = check_name(name)
    if session.execute(select(AdProductSet.id).where(AdProductSet.store_id == store.id,
                                                     AdProductSet.name == name)).first():
        raise InvalidChange(f"the store already has a product set called {name!r}", fields={"name": "taken"})
    client, bc_id, catalog_id = _catalog_of(session, store)
    try:
        made = api.create_product_set(client, bc_id, catalog_id, name, conditions)
    except TikTokRequestError as error:
        raise InvalidChange(f"TikTok refused the product set: {error.message}") from None
    except TikTokError as error:
        raise tiktok_failure(error, doing="creating the product set") from None
    row = AdProductSet(store_id=store.id, name=name, conditions=conditions, tiktok_set_id=made["product_set_id"],
                       tiktok_count=made.get("product_count"), synced_at=utcnow())
    session.add(row)
    audit.record(session, store, actor, "ads.set_created", {"set": name, "product_set_id": row.tiktok_set_id,
                                                            "rules": describe(conditions)})
    session.commit()
    return row


def update_set(session, store, actor, set_id, *, name=None, conditions=None):
    """Change a set's name and/or rules, at TikTok first (committed, audited)."""
    row = find_set(session, store, set_id)
    name = check_name(name) if name is not None else None
    client, bc_id, catalog_id = _catalog_of(session, store)
    try:
        answer = api.update_product_set(client, bc_id, catalog_id, row.tiktok_set_id,
                                        name=name if name != row.name else None, conditions=conditions)
    except TikTokRequestError as error:
        raise InvalidChange(f"TikTok refused the change: {error.message}") from None
    except TikTokError as error:
        raise tiktok_failure(error, doing="changing the product set") from None
    before = describe(row.conditions)
    row.name, row.conditions = name or row.name, conditions or row.conditions
    row.tiktok_count, row.synced_at = answer.get("product_count", row.tiktok_count), utcnow()
    audit.record(session, store, actor, "ads.set_changed", {"set": row.name, "product_set_id": row.tiktok_set_id,
                                                            "from": before, "to": describe(row.conditions)})
    session.commit()
    return row


def delete_set(session, store, actor, set_id):
    """Delete a set at TikTok and here (committed, audited); a set TikTok no longer has just goes."""
    row = find_set(session, store, set_id)
    client, bc_id, catalog_id = _catalog_of(session, store)
    try:
        api.delete_product_sets(client, bc_id, catalog_id, [row.tiktok_set_id])
    except TikTokRequestError as error:
        if error.code != 40007:  # "does not exist": already gone at TikTok
            raise InvalidChange(f"TikTok refused to delete the set: {error.message}") from None
    except TikTokError as error:
        raise tiktok_failure(error, doing="deleting the product set") from None
    audit.record(session, store, actor, "ads.set_deleted", {"set": row.name, "product_set_id": row.tiktok_set_id})
    session.delete(row)
    session.commit()
    return row


def list_sets(session, store, *, refresh=True):
    """The store's sets with our own live count and, when ``refresh``, TikTok's count read now.

    ``tiktok`` is "missing" for a set TikTok no longer has, None when TikTok could not be asked."""
    rows = session.execute(select(AdProductSet).where(AdProductSet.store_id == store.id)
                           .order_by(AdProductSet.name)).scalars().all()
    remote, problem = None, None
    if refresh and rows:
        try:
            client, bc_id, catalog_id = _catalog_of(session, store)
            remote = {s["product_set_id"]: s for s in api.list_product_sets(client, bc_id, catalog_id)}
        except TikTokError as error:
            problem = tiktok_failure(error, doing="reading the product sets").message
        except (AdsUnavailable, InvalidChange) as error:
            problem = error.message
    result = []
    counts = count_members(session, store, [row.conditions for row in rows]) if rows else []
    for row, count in zip(rows, counts, strict=True):
        found = None if remote is None else remote.get(row.tiktok_set_id)
        if found is not None and found.get("product_count") is not None:
            row.tiktok_count, row.synced_at = int(found["product_count"]), utcnow()
        result.append({"id": row.id, "name": row.name, "product_set_id": row.tiktok_set_id,
                       "rules": describe(row.conditions), "conditions": row.conditions,
                       "count": count,
                       "tiktok_count": row.tiktok_count,
                       "at_tiktok": None if remote is None else found is not None,
                       "synced_at": row.synced_at.isoformat() if row.synced_at else None})
    session.commit()
    return {"sets": result, "problem": problem}
