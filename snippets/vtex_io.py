"""The VTEX IO pixel app the connector writes for a store (``snippet KEY --platform vtex-io --out DIR``),
and the same listener as a plain script for theme apps that add scripts themselves.

The app follows the anatomy of VTEX's own pixel apps (VTEX_API.md 5.4; vtex-apps/pixel-app-template):
a manifest with the pixel builder and a settings schema (the store key), ``pixel/head.html`` (what the
pixel builder puts in every page's <head>), the store interface and plugin that mount it in the pixel
slot, and a React entry that renders nothing: the listener runs from head.html, so it hears every event.
"""
import json

import snippets

APP_NAME = "tiktok-connector-pixel"
APP_VERSION = "1.0.0"
# Settings interpolate in pixel/*.html as {{settings.<key>}} (VTEX_API.md 5.4).
KEY_SETTING = "{{settings.storeKey}}"


def render_listener(store_key, server_url):
    """The listener as a plain script (loads the store's loader itself)."""
    base = snippets._clean_server_url(server_url)
    snippets.render_head(store_key, base)  # the same checks as every snippet
    return snippets._INDENT.sub("\n", snippets._render("vtex_io.js.j2", io={"src": f"{base}/pixel/{store_key}.js"}))


def app_files(store_key, server_url, *, vendor):
    """{relative path: text} of the pixel app for this store."""
    base = snippets._clean_server_url(server_url)
    snippets.render_head(store_key, base)
    if not snippets.STORE_KEY.fullmatch(vendor or ""):
        raise snippets.SnippetError(f"vendor must be your VTEX account name (letters, digits, - or _): {vendor!r}")
    # The key comes from the app's settings when VTEX renders head.html, so one app serves any key.
    # VTEX writes the setting in as it is: the settings schema's pattern limits it to key characters,
    # and the listener checks it again before building the loader's address from it.
    listener = snippets._INDENT.sub("\n", snippets._render("vtex_io.js.j2", io={"base": f"{base}/pixel/"}))
    head = ("<!-- tiktok-connector pixel: the store's loader and the pixel-manager listener -->\n<script>\n"
            f'window.ttcVtexIoKey = "{KEY_SETTING}";\n{listener}\n</script>\n')
    manifest = {
        "vendor": vendor, "name": APP_NAME, "version": APP_VERSION, "title": "TikTok pixel (tiktok-connector)",
        "description": "Sends the store's shopping events to its TikTok pixel through tiktok-connector.",
        "builders": {"react": "3.x", "store": "0.x", "pixel": "0.x", "docs": "0.x"},
        "dependencies": {"vtex.pixel-interfaces": "1.x"},
        "policies": [{"name": "pixel"}],
        "billingOptions": {"type": "free", "support": {"url": base}, "availableCountries": ["*"]},
        "settingsSchema": {"title": "TikTok pixel (tiktok-connector)", "type": "object", "bindingBounded": True,
                           "properties": {"storeKey": {"title": "Store key",
                                                       "description": "The store's key in tiktok-connector.",
                                                       "type": "string", "default": store_key,
                                                       "pattern": "^[A-Za-z0-9_-]{1,64}$"}}},
        "$schema": "https://raw.githubusercontent.com/vtex/node-vtex-api/master/gen/manifest.schema",
    }
    return {
        "manifest.json": json.dumps(manifest, indent=2) + "\n",
        "pixel/head.html": head,
        "store/interfaces.json": json.dumps({f"pixel.{APP_NAME}": {"component": "index"}}, indent=2) + "\n",
        "store/plugins.json": json.dumps({"pixels > pixel": f"pixel.{APP_NAME}"}, indent=2) + "\n",
        "react/index.tsx": "// The listener runs from pixel/head.html; this component only fills the pixel slot.\n"
                           "export default function TikTokConnectorPixel() {\n  return null\n}\n",
        "react/package.json": json.dumps({"name": APP_NAME, "version": APP_VERSION, "private": True,
                                          "dependencies": {"react": "^16.9.0"}}, indent=2) + "\n",
        "docs/README.md": f"# TikTok pixel (tiktok-connector)\n\nFires the store's TikTok pixel events through "
                          f"tiktok-connector ({base}). Set the store key in the app's settings.\n",
    }
