"""Password hashing with argon2id; cost parameters come from the settings so tests can lower them."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

MIN_LENGTH = 10
MAX_LENGTH = 256  # argon2 takes any length; a cap keeps one request from costing a lot
# zxcvbn's score: 3 is "safely unguessable" (about 10^8 guesses or more), the usual floor for sign-ups.
MIN_SCORE = 3
STRENGTH_CHECKED_CHARS = 100  # zxcvbn's matching grows fast with length; the head decides anyway
PRODUCT_WORDS = ("tiktok", "connector", "tiktokconnector", "shop", "store", "admin")


def _hasher():
    config = current_app.config
    return PasswordHasher(time_cost=config["TTC_ARGON2_TIME_COST"],
                          memory_cost=config["TTC_ARGON2_MEMORY_KIB"],
                          parallelism=config["TTC_ARGON2_PARALLELISM"])


def check_strength(password, email=""):
    """Raise ValueError when a new password is too weak to accept."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise ValueError(f"use at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise ValueError(f"use at most {MAX_LENGTH} characters")
    if email and password.strip().lower() == email.strip().lower():
        raise ValueError("the password must not be your email address")
    if len(set(password)) < 4:
        raise ValueError("use more different characters")
    _check_guessability(password, email)


def _check_guessability(password, email):
    """Refuse a password an attacker's guessing list would reach soon, saying why and what helps."""
    local = email.partition("@")[0] if email else ""
    estimate = zxcvbn(password[:STRENGTH_CHECKED_CHARS], user_inputs=[w for w in (email, local) if w]
                      + list(PRODUCT_WORDS))
    if estimate["score"] >= MIN_SCORE:
        return
    feedback = estimate.get("feedback") or {}
    why = (feedback.get("warning") or "this password is easy to guess").rstrip(".")
    tips = " ".join(feedback.get("suggestions") or []) or "Add another word or two."
    raise ValueError(f"{why[:1].lower() + why[1:]}. {tips} A few unrelated words, like a short phrase "
                     "only you would write, are strong and easy to remember.")


def hash_password(password):
    """An argon2id hash of the password, with a fresh salt."""
    return _hasher().hash(password)


def verify_password(stored_hash, password):
    """Whether the password matches the stored hash."""
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash):
    """Whether a hash was made with other cost parameters than the current ones."""
    return _hasher().check_needs_rehash(stored_hash)


def waste_time(password):
    """Spend what a real verification costs, so an unknown email is not told apart by timing."""
    verify_password(_dummy_hash(), password)


def _dummy_hash():
    state = current_app.extensions["ttc_auth"]
    if state.dummy_hash is None:
        state.dummy_hash = hash_password("unused dummy password")
    return state.dummy_hash
