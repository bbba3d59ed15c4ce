"""An Ecwid store over real HTTP, built from ECWID_API.md: REST API v3 (profile, products with
combinations, deleted products, categories), Bearer tokens, 100-item pages, 600 requests a minute
per token with 429 + Retry-After, Ecwid's error bodies, switchable faults, and a webhook sender that
signs as Ecwid does. Run alone: ``python -m tests.ecwid_emulator --port N``.

Products are computed from their id (changes kept apart), so 100,000 of them cost little memory.
"""
