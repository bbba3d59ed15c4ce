"""CSRF protection for every form (Flask-WTF); the JSON API checks it itself for session callers."""
from flask_wtf.csrf import CSRFError, CSRFProtect

csrf = CSRFProtect()

__all__ = ["CSRFError", "csrf"]
