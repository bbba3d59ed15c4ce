"""Store services: plain values in, models out; no request objects, so they test without HTTP."""
from sqlalchemy import select

from server.clock import isoformat
from server.errors import NotFound, ValidationError
from server.models.store import Store
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


def find_store(session, public_key, *, reload=False):
    """The store with this public key, or None; ``reload`` re-reads a row the session already holds."""
    if not isinstance(public_key, str) or not 8 <= len(public_key) <= 43:
        return None
    query = select(Store).where(Store.public_key == public_key)
    if reload:
        query = query.execution_options(populate_existing=True)
    return session.execute(query).scalar_one_or_none()


def list_stores(session):
    """Every store, oldest first."""
    return session.execute(select(Store).order_by(Store.id)).scalars().all()


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
