"""Secrets at rest: TikTok tokens are encrypted with Fernet keys from TTC_TOKEN_KEY (rotation-ready)."""
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class TokenKeyError(Exception):
    """Raised when a stored token cannot be decrypted with any configured key."""


def token_cipher(key_setting=None):
    """A MultiFernet over TTC_TOKEN_KEY: comma-separated keys, the first encrypts, all decrypt."""
    raw = key_setting if key_setting is not None else current_app.config["TTC_TOKEN_KEY"]
    keys = [part.strip() for part in raw.split(",") if part.strip()]
    if not keys:
        raise TokenKeyError("TTC_TOKEN_KEY is empty")
    return MultiFernet([Fernet(key.encode("ascii")) for key in keys])


def encrypt_secret(plaintext, key_setting=None):
    """Encrypt a secret (an access token) for storage."""
    return token_cipher(key_setting).encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt_secret(ciphertext, key_setting=None):
    """Decrypt a stored secret; raises TokenKeyError if no configured key opens it."""
    try:
        return token_cipher(key_setting).decrypt(ciphertext.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise TokenKeyError("the stored token does not open with any key in TTC_TOKEN_KEY") from error


def rotate_secret(ciphertext, key_setting=None):
    """Re-encrypt a stored secret under the newest key."""
    return token_cipher(key_setting).rotate(ciphertext.encode("ascii")).decode("ascii")


def new_public_key():
    """A random, URL-safe, unguessable store key (128 bits) that never starts with "-"."""
    while True:  # a leading "-" would read as an option on the command line
        key = secrets.token_urlsafe(16)
        if key[0] != "-":
            return key


def constant_time_equal(a, b):
    """Compare two secrets without leaking where they differ."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def fingerprint(value):
    """A short, non-reversible label for a secret, fit for logs."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:10]
