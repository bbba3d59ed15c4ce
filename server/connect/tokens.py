"""The stored TikTok token: encrypted at rest (Fernet keys from TTC_TOKEN_KEY), readable only here,
re-encrypted under the newest key on demand."""
from cryptography.fernet import InvalidToken
from sqlalchemy import select

from server.connect.errors import NotConnected
from server.models.catalog import StoreCatalog
from server.models.catalog_source import CatalogSource
from server.models.tiktok import TikTokConnection
from server.security import TokenKeyError, decrypt_secret, encrypt_secret, rotate_secret


def save_token(connection, access_token):
    """Keep ``access_token`` on the connection, encrypted (not committed)."""
    connection.access_token = encrypt_secret(access_token)


def read_token(connection):
    """The connection's token in clear, for a client; NotConnected when it is missing or unreadable."""
    if not connection.has_token:
        raise NotConnected("the store is not connected to TikTok: connect it first")
    try:
        return decrypt_secret(connection.access_token)
    except TokenKeyError:
        # The key that encrypted it was removed from TTC_TOKEN_KEY: only a new token helps.
        raise NotConnected("the stored TikTok token cannot be read with the keys in TTC_TOKEN_KEY: "
                           "connect the store to TikTok again") from None


def rotate_tokens(session):
    """Re-encrypt every stored secret (TikTok tokens, catalog webhook secrets, catalog sources'
    credentials and notification secrets) under the newest key in TTC_TOKEN_KEY; returns
    {"tokens": n, "webhook_secrets": m, "source_credentials": c, "source_secrets": s}, committed. Raises TokenKeyError
    (before changing anything) if a secret opens with none of the configured keys."""
    columns = ((TikTokConnection, "access_token", "tokens"), (StoreCatalog, "webhook_secret", "webhook_secrets"),
               (CatalogSource, "credentials", "source_credentials"), (CatalogSource, "notify_secret", "source_secrets"))
    counts, updates = {}, []
    for model, column, label in columns:
        rows = session.execute(select(model).where(getattr(model, column).is_not(None))).scalars().all()
        counts[label] = len(rows)
        for row in rows:
            try:
                updates.append((row, column, rotate_secret(getattr(row, column))))
            except InvalidToken:
                raise TokenKeyError(f"a stored secret ({model.__tablename__}.{column}, row {row.id}) opens "
                                    f"with none of the keys in TTC_TOKEN_KEY; nothing was changed") from None
    for row, column, ciphertext in updates:
        setattr(row, column, ciphertext)
    session.commit()
    return counts
