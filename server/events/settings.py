"""A store's server-events settings: read them, change them (audited), and what the page shows.

A change touches the store row too, so the store's version moves: the pixel configuration (which
says whether to beacon) and the collector's cache are rebuilt on every worker at once.
"""
import re

from server import audit
from server.clock import utcnow
from server.errors import ValidationError
from server.models.events import EventSettings

TEST_CODE = re.compile(r"[A-Za-z0-9_-]{1,64}")
FIELDS = ("server_events", "test_mode", "test_event_code", "limited_data_use")


def settings_of(store):
    """The store's settings row, or an unsaved one holding the defaults."""
    return store.event_settings or EventSettings(server_events=False, test_mode=False, test_event_code=None,
                                                 limited_data_use=False)


def as_dict(store):
    """The settings as plain data (page, API, command line)."""
    settings = settings_of(store)
    return {name: getattr(settings, name) for name in FIELDS}


def clean(values, current):
    """Checked values for the fields given; raises ValidationError naming each bad field."""
    unknown = sorted(set(values) - set(FIELDS))
    errors = {name: "not an events setting" for name in unknown}
    cleaned = {}
    for name in ("server_events", "test_mode", "limited_data_use"):
        if name in values:
            if isinstance(values[name], bool):
                cleaned[name] = values[name]
            else:
                errors[name] = "true or false"
    if "test_event_code" in values:
        code = values["test_event_code"]
        code = code.strip() if isinstance(code, str) else code
        if code in (None, ""):
            cleaned["test_event_code"] = None
        elif isinstance(code, str) and TEST_CODE.fullmatch(code):
            cleaned["test_event_code"] = code
        else:
            errors["test_event_code"] = "the code from TikTok Events Manager (letters, digits, - and _)"
    merged = {**{name: getattr(current, name) for name in FIELDS}, **cleaned}
    if merged["test_mode"] and not merged["test_event_code"] and "test_event_code" not in errors:
        errors["test_mode"] = "test mode needs a test event code"
    if errors:
        raise ValidationError("; ".join(f"{name}: {problem}" for name, problem in sorted(errors.items())),
                              fields=errors)
    return cleaned


def update_settings(session, store, actor, **values):
    """Change some settings; returns the names that changed (audited and committed when any did)."""
    current = settings_of(store)
    cleaned = clean(values, current)
    before = {name: getattr(current, name) for name in FIELDS}
    changed = [name for name, value in cleaned.items() if before[name] != value]
    if not changed:
        return []
    if store.event_settings is None:
        current.store_id = store.id
        session.add(current)
        store.event_settings = current
    for name in changed:
        setattr(current, name, cleaned[name])
    store.updated_at = utcnow()  # bumps the store's version: pixel config and collector caches follow
    audit.record(session, store, actor, "events.settings_changed", {
        "fields": changed, "changes": {name: {"from": before[name], "to": cleaned[name]} for name in changed}})
    session.commit()
    return changed
