"""Small factories for test data."""
from server.extensions import db
from server.stores.service import create_store

PIXEL_CODE = "C9Q2MJ3C77U4P674RPG0"


def make_store(**overrides):
    """Create a committed store (inside an app context) with sensible defaults."""
    values = {
        "name": "Loja Exemplo",
        "domains": ["loja.example.com"],
        "country": "BR",
        "currency": "BRL",
        "platform": "vtex-legacy",
        "phone": "+55 11 91234-5678",
        "pixel_code": PIXEL_CODE,
    }
    values.update(overrides)
    return create_store(db.session, **values)
