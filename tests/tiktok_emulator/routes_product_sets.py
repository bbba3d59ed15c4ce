"""Product sets of a catalog (``catalog/set/*``): conditions checked per field and operation as
TikTok documents them, membership computed from the catalog's products."""
from __future__ import annotations

import copy

from flask import Blueprint

from .envelope import ApiError, int_param, ok, params, require, state
from .routes_catalog import _catalog

bp = Blueprint("tiktok_product_sets", __name__, url_prefix="/open_api/v1.3/catalog/set")

LISTS = {"CONTAIN", "I_CONTAIN", "EXCLUDE", "I_EXCLUDE", "WILDCARD", "I_WILDCARD", "NOT_WILDCARD", "I_NOT_WILDCARD",
         "PREFIX", "I_PREFIX"}
TEXTS = {"EQUAL", "NOT_EQUAL", "WILDCARD", "I_WILDCARD", "NOT_WILDCARD", "I_NOT_WILDCARD", "PREFIX", "I_PREFIX"}
NUMBERS = {"GT", "GTE", "LT", "LTE", "EQUAL"}
ENUM_OPS = {"EQUAL", "NOT_EQUAL"}
FIELDS = {**{f: TEXTS for f in ("title", "description", "color", "material", "pattern", "size")},
          **{f: LISTS for f in ("brand", "item_group_id", "google_product_category", "product_type",
                                "custom_label_0", "custom_label_1", "custom_label_2", "custom_label_3",
                                "custom_label_4")},
          **{f: ENUM_OPS for f in ("availability", "condition", "age_group", "gender")},
          **{f: NUMBERS for f in ("price", "sale_price")}}
DETAIL = {"product_type": "product_category", "condition": "condition", "color": "color", "gender": "gender",
          "age_group": "age_group", "material": "material", "pattern": "pattern", "size": "size"}


def check_conditions(conditions) -> dict:
    """``{"and"|"or": [{field, operation, value}]}``: exactly one key, known fields and operations."""
    if not isinstance(conditions, dict) or len(conditions) != 1 or next(iter(conditions)) not in ("and", "or"):
        raise ApiError(40002, "conditions: must have exactly one of 'and' / 'or'.")
    clauses = next(iter(conditions.values()))
    if not isinstance(clauses, list) or not clauses:
        raise ApiError(40002, "conditions: at least one condition is required.")
    total = 0
    for index, clause in enumerate(clauses):
        where = f"conditions[{index}]"
        if not isinstance(clause, dict) or "operator" in clause:
            raise ApiError(40002, f"{where}: each condition has field, operation and value.")
        field, operation = clause.get("field"), clause.get("operation")
        if field not in FIELDS:
            raise ApiError(40002, f"{where}.field: {field!r} cannot be used to filter e-commerce products.")
        if operation not in FIELDS[field]:
            raise ApiError(40002, f"{where}.operation: {operation!r} is not allowed for {field}.")
        value = clause.get("value")
        if operation in NUMBERS and field in ("price", "sale_price"):
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise ApiError(40002, f"{where}.value: must be a number.")
        elif operation in {"CONTAIN", "I_CONTAIN", "EXCLUDE", "I_EXCLUDE"} and not isinstance(value, list):
            raise ApiError(40002, f"{where}.value: must be a list.")
        elif value in (None, "", []):
            raise ApiError(40002, f"{where}.value: Missing data for required field.")
        total += len(value) if isinstance(value, list) else 1
    if total > 1024:
        raise ApiError(40002, "conditions: at most 1024 values in total.")
    return conditions


def field_value(data: dict, field: str):
    """A product's value for a filter field, from the product as uploaded."""
    if field in ("price", "sale_price"):
        return (data.get("price_info") or {}).get(field)
    if field in DETAIL:
        return (data.get("product_detail") or {}).get(DETAIL[field])
    if field.startswith("custom_label_"):
        return (data.get("extra_info") or {}).get(field)
    return data.get(field)


def _one(value, operation: str, wanted) -> bool:
    if operation in NUMBERS and isinstance(wanted, (int, float)):
        if value is None:
            return False
        number = float(value)
        return {"GT": number > wanted, "GTE": number >= wanted, "LT": number < wanted, "LTE": number <= wanted,
                "EQUAL": number == wanted}[operation]
    fold = operation.startswith("I_")
    op = operation[2:] if fold else operation
    text = "" if value is None else str(value)
    options = [str(w) for w in (wanted if isinstance(wanted, list) else [wanted])]
    if fold:
        text, options = text.lower(), [o.lower() for o in options]
    tests = {"EQUAL": lambda: text == options[0], "NOT_EQUAL": lambda: text != options[0],
             "CONTAIN": lambda: text in options, "EXCLUDE": lambda: text not in options,
             "WILDCARD": lambda: any(o in text for o in options),
             "NOT_WILDCARD": lambda: not any(o in text for o in options),
             "PREFIX": lambda: any(text.startswith(o) for o in options)}
    return tests[op]()


def in_set(data: dict, conditions: dict) -> bool:
    """Whether an uploaded product belongs to a set with these conditions."""
    key = next(iter(conditions))
    results = [_one(field_value(data, c["field"]), c["operation"], c["value"]) for c in conditions[key]]
    return all(results) if key == "and" else any(results)


def members(product_set: dict, catalog: dict) -> list[dict]:
    """The catalog's products in the set."""
    return [e for e in catalog["products"].values() if in_set(e["data"], product_set["conditions"])]


def _name(values: dict, catalog: dict, *, exclude: str | None = None) -> str:
    name = values.get("product_set_name")
    if not isinstance(name, str) or not 1 <= len(name) <= 28:
        raise ApiError(40002, "product_set_name: Length must be between 1 and 28.")
    taken = [s for s in state().product_sets.values() if s["catalog_id"] == catalog["catalog_id"]
             and s["product_set_name"] == name and s["product_set_id"] != exclude]
    if taken:
        raise ApiError(40002, f"product_set_name: a product set named {name!r} already exists.")
    return name


def _out(product_set: dict, catalog: dict, with_count: bool = True) -> dict:
    item = {k: copy.deepcopy(v) for k, v in product_set.items()}
    if with_count:
        item["product_count"] = len(members(product_set, catalog))
    return item


def _owned(values: dict, catalog: dict) -> dict:
    require(values, "product_set_id")
    found = state().product_sets.get(str(values["product_set_id"]))
    if found is None or found["catalog_id"] != catalog["catalog_id"]:
        raise ApiError(40007, f"The product set {values['product_set_id']} does not exist.")
    return found


@bp.post("/create/")
def create():
    """A product set by rules."""
    values = params()
    st = state()
    with st.lock:
        catalog = _catalog(values)
        require(values, "product_set_name", "conditions")
        name = _name(values, catalog)
        conditions = check_conditions(values["conditions"])
        set_id = st.new_id("77")
        st.product_sets[set_id] = {"product_set_id": set_id, "product_set_name": name,
                                   "catalog_id": catalog["catalog_id"], "conditions": copy.deepcopy(conditions)}
        out = _out(st.product_sets[set_id], catalog)
    return ok({k: out[k] for k in ("product_set_id", "product_set_name", "product_count")})


@bp.post("/update/")
def update():
    """Rename a set and/or change its conditions."""
    values = params()
    st = state()
    with st.lock:
        catalog = _catalog(values)
        found = _owned(values, catalog)
        if "product_set_name" in values:
            found["product_set_name"] = _name(values, catalog, exclude=found["product_set_id"])
        if "conditions" in values:
            found["conditions"] = copy.deepcopy(check_conditions(values["conditions"]))
        out = _out(found, catalog)
    return ok({k: out[k] for k in ("product_set_id", "product_set_name", "product_count")})


@bp.post("/delete/")
def delete():
    """Delete 1-10 sets."""
    values = params()
    st = state()
    with st.lock:
        catalog = _catalog(values)
        ids = values.get("product_set_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 10:
            raise ApiError(40002, "product_set_ids: Length must be between 1 and 10.")
        for set_id in ids:
            _owned({"product_set_id": set_id}, catalog)
        for set_id in ids:
            st.product_sets.pop(str(set_id))
    return ok({"product_set_ids": [str(i) for i in ids]})


@bp.get("/get/")
def get():
    """The catalog's sets (or one), with product_count unless return_product_count is false."""
    values = params()
    st = state()
    with st.lock:
        catalog = _catalog(values)
        with_count = str(values.get("return_product_count", "true")).lower() != "false"
        found = [s for s in st.product_sets.values() if s["catalog_id"] == catalog["catalog_id"]
                 and (not values.get("product_set_id") or s["product_set_id"] == str(values["product_set_id"]))]
        items = [_out(s, catalog, with_count) for s in found]
    return ok({"list": items})


@bp.get("/product/get/")
def products():
    """The products in a set, a page at a time (page_size 1-100)."""
    values = params()
    page = int_param(values, "page", 1, 1, 10**6)
    size = int_param(values, "page_size", 20, 1, 100)
    st = state()
    with st.lock:
        catalog = _catalog(values)
        found = _owned(values, catalog)
        inside = [{"product_id": e["product_id"], "product_name": e["data"].get("title"),
                   "sku_id": e["data"]["sku_id"]} for e in members(found, catalog)]
    chunk = inside[(page - 1) * size: page * size]
    return ok({"product_set_id": found["product_set_id"], "catalog_id": catalog["catalog_id"],
               "product_count": len(inside), "products": chunk,
               "page_info": {"page": page, "page_size": size, "total_number": len(inside),
                             "total_page": (len(inside) + size - 1) // size}})
