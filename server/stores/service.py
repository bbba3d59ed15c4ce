"""Store services: plain values in, models out; no request objects, so they test without HTTP."""
from server import audit
from server.clock import isoformat
from server.errors import NotFound, ValidationError
from server.models.store import Store, find_store, list_stores  # noqa: F401  (the lookups are store services too)
from server.models.user import Membership
from server.stores import validation as rules

# field -> (cleaner, needs the country) ; the order matters: country before currency
SETTABLE = {
    "name": rules.clean_name,
    "domains": rules.clean_domains,
    "platform": rules.clean_platform,
    "country": rules.clean_country,
    "currency": None,  # checked against the (new) country below
    "phone": rules.clean_phone,
    "pixel_code": rules.clean_pixel_code,
    "pixel_enabled": rules.clean_bool,
    "events": rules.clean_events,
    "order_event": rules.clean_order_event,
    "consent_mode": rules.clean_consent_mode,
    "advanced_matching": rules.clean_bool,
}
REQUIRED_ON_CREATE = ("name", "domains", "country", "currency", "platform")


def clean_fields(values, *, current=None):
    """Validate a set of store fields; raises ValidationError listing every bad field at once."""
    unknown = sorted(set(values) - set(SETTABLE))
    if unknown:
        raise ValidationError(f"unknown store field(s): {', '.join(unknown)}",
                              fields={name: "not a store setting" for name in unknown})
    cleaned, errors = {}, {}
    for name, cleaner in SETTABLE.items():
        if name not in values or cleaner is None:
            continue
        try:
            cleaned[name] = cleaner(values[name])
        except ValueError as error:
            errors[name] = str(error)
    if "currency" in values or ("country" in cleaned and current is not None):
        country = cleaned.get("country") or (current.country if current is not None else None)
        currency = values.get("currency", current.currency if current is not None else None)
        if country and "country" not in errors:
            try:
                cleaned["currency"] = rules.clean_currency(currency, country)
            except ValueError as error:
                errors["currency"] = str(error)
    if errors:
        raise ValidationError(_summary(errors), fields=errors)
    return cleaned


def _summary(errors):
    if len(errors) == 1:
        name, problem = next(iter(errors.items()))
        return f"{name}: {problem}"
    return f"{len(errors)} fields need fixing: {', '.join(errors)}"


def create_store(session, **values):
    """Create a store from validated fields; returns it (committed)."""
    missing = [name for name in REQUIRED_ON_CREATE if values.get(name) in (None, "", [])]
    if missing:
        raise ValidationError(f"missing: {', '.join(missing)}", fields={n: "required" for n in missing})
    store = Store(**clean_fields(values))
    session.add(store)
    session.commit()
    return store


def update_store(session, store, **values):
    """Change some of a store's fields; returns the names that really changed (committed)."""
    cleaned = clean_fields(values, current=store)
    changed = [name for name, value in cleaned.items() if getattr(store, name) != value]
    for name in changed:
        setattr(store, name, cleaned[name])
    if changed:
        session.commit()
    return changed


def get_store(session, public_key):
    """The store with this public key; raises NotFound."""
    store = find_store(session, public_key)
    if store is None:
        raise NotFound(f"no store with key {public_key!r}")
    return store


def store_settings(store):
    """A store's settings as plain data (for the CLI and the API); no secrets, no internal ids."""
    return {
        "key": store.public_key,
        "name": store.name,
        "domains": list(store.domains or []),
        "platform": store.platform,
        "country": store.country,
        "currency": store.currency,
        "phone": store.phone,
        "pixel": {
            "code": store.pixel_code,
            "enabled": store.pixel_enabled,
            "live": store.pixel_live,
            "events": list(store.events or []),
            "order_event": store.order_event,
            "consent_mode": store.consent_mode,
            "advanced_matching": store.advanced_matching,
        },
        "tiktok": {
            "state": store.tiktok_state,
            "reason": store.tiktok_state_reason,
            "changed_at": isoformat(store.tiktok_state_changed_at),
        },
        "created_at": isoformat(store.created_at),
        "updated_at": isoformat(store.updated_at),
    }


def create_store_as(session, caller, **values):
    """Create a store; a merchant who creates one becomes its owner. Audited."""
    store = create_store(session, **values)
    if caller.kind == "user":
        session.add(Membership(store_id=store.id, user_id=caller.user.id, role="owner"))
    audit.record(session, store, caller, "store.created", {"fields": _field_values(store)})
    session.commit()
    return store


def _field_values(store):
    return {name: (audit.HIDDEN if name in audit.PRIVATE_FIELDS and getattr(store, name) else
                   _plain(getattr(store, name))) for name in SETTABLE}


def _plain(value):
    return list(value) if isinstance(value, (list, tuple)) else value


def update_store_as(session, caller, store, **values):
    """Change a store's settings as ``caller`` (who must be allowed to); returns the changed names."""
    before = {name: _plain(getattr(store, name)) for name in SETTABLE}
    changed = update_store(session, store, **values)
    if changed:
        after = {name: _plain(getattr(store, name)) for name in changed}
        audit.record(session, store, caller, "store.updated", audit.store_changes(before, after))
        session.commit()
    return changed
