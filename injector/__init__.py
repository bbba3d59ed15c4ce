"""Rewrite a folder of legacy storefront templates to embed the TikTok pixel snippets.

The core finds byte offsets and splices marker blocks into the original bytes (``scan``,
``markers``, ``edit``); ``files`` does the disk I/O; ``cli`` is ``python -m injector``.
"""
