"""The PATCH body of a store: the same shape GET returns, checked for types before the store rules.

Type checks come first so that the store rules (which expect strings and lists) never see a number
where a name belongs; errors name fields by their JSON path ("pixel.code").
"""
from server.errors import ValidationError

# JSON path -> (store service field, accepted JSON types, what to say when the type is wrong)
FIELDS = {
    "name": ("name", (str,), "a string"),
    "domains": ("domains", (list,), "a list of domain names"),
    "platform": ("platform", (str,), "a string"),
    "country": ("country", (str,), "a string"),
    "currency": ("currency", (str,), "a string"),
    "phone": ("phone", (str, type(None)), "a string or null"),
    "pixel.code": ("pixel_code", (str, type(None)), "a string or null"),
    "pixel.enabled": ("pixel_enabled", (bool,), "true or false"),
    "pixel.events": ("events", (list,), "a list of event names"),
    "pixel.order_event": ("order_event", (str,), "a string"),
    "pixel.consent_mode": ("consent_mode", (str,), "a string"),
    "pixel.advanced_matching": ("advanced_matching", (bool,), "true or false"),
}
READ_ONLY = {"key", "role", "tiktok", "created_at", "updated_at", "pixel.live"}
JSON_PATH = {field: path for path, (field, _, _) in FIELDS.items()}


def store_changes(body):
    """Service keyword arguments from a PATCH body; raises ValidationError naming each bad field."""
    if not isinstance(body, dict):
        raise ValidationError("send a JSON object with the settings to change",
                              fields={"body": "must be a JSON object"})
    flat, errors = _flatten(body)
    values = {}
    for path, value in flat.items():
        if path in READ_ONLY:
            errors[path] = "read-only"
        elif path not in FIELDS:
            errors[path] = "not a store setting"
        else:
            field, types, expected = FIELDS[path]
            if not isinstance(value, types) or (
                    isinstance(value, list) and not all(isinstance(item, str) for item in value)):
                errors[path] = f"must be {expected}"
            else:
                values[field] = value
    if errors:
        raise ValidationError(_summary(errors), fields=errors)
    return values


def _flatten(body):
    flat, errors = {}, {}
    for name, value in body.items():
        if name == "pixel":
            if not isinstance(value, dict):
                errors["pixel"] = "must be an object"
                continue
            flat.update({f"pixel.{inner}": item for inner, item in value.items()})
        else:
            flat[name] = value
    return flat, errors


def json_fields(error):
    """A store service's ValidationError with its field names turned into JSON paths."""
    fields = {JSON_PATH.get(name, name): problem for name, problem in error.fields.items()}
    return ValidationError(_summary(fields), fields=fields)


def _summary(errors):
    if len(errors) == 1:
        name, problem = next(iter(errors.items()))
        return f"{name}: {problem}"
    return f"{len(errors)} fields need fixing: {', '.join(sorted(errors))}"
