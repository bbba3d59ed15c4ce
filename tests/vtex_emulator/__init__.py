"""A VTEX account over real HTTP, built from VTEX_API.md: the catalog endpoints a connector reads
(SKU id listing, SKU context, categories, checkout simulation, orderForm, affiliates), app-key
authentication, paging limits, per-endpoint rate limits with 429 + Retry-After, switchable faults,
and a sender for the affiliate notification. Run alone: ``python -m tests.vtex_emulator --port N``.

SKUs are computed from their id (overrides kept apart), so 100,000 of them cost no memory.
"""
