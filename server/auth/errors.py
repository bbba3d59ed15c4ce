"""Errors of signing in and of access to stores (branches of the application's AppError)."""
import math

from server.errors import AppError


class Unauthorized(AppError):
    """Raised when a request needs a signed-in merchant or an API key and has neither (or a bad one)."""

    status = 401
    code = "unauthorized"


class Forbidden(AppError):
    """Raised when a member of a store tries to change it; only owners may."""

    status = 403
    code = "forbidden"


class SignInRefused(AppError):
    """Raised when the email and password do not match an account (the message never says which)."""

    status = 401
    code = "sign_in_refused"


class TooManyAttempts(AppError):
    """Raised when an email or an address failed to sign in too often; says when to try again."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, retry_after_seconds):
        self.retry_after_seconds = max(1, int(math.ceil(retry_after_seconds)))
        minutes = max(1, math.ceil(self.retry_after_seconds / 60))
        unit = "minute" if minutes == 1 else "minutes"
        super().__init__(f"Too many sign-in attempts. Try again in {minutes} {unit}.")
