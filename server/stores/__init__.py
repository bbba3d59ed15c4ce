"""Stores: creating, validating, reading and changing them."""
