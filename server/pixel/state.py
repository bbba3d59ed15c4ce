"""What the Pixel page shows about a store's pixel: its state, what a platform installs, the injector."""
from dataclasses import dataclass

from flask import current_app

import snippets


@dataclass(frozen=True)
class PixelStatus:
    """Whether shoppers' pages fire the pixel, and if not, every reason why."""

    live: bool
    reasons: tuple


def pixel_status(store):
    """The pixel's state at a glance, with what to do about each thing that keeps it off."""
    reasons = []
    if not store.pixel_enabled:
        reasons.append("The pixel is switched off in the settings.")
    if not store.pixel_code:
        reasons.append("There is no TikTok pixel code yet: connect TikTok, or enter the code of a pixel "
                       "made in TikTok Events Manager.")
    if store.tiktok_state == "disconnected":
        why = store.tiktok_state_reason or "no reason was given"
        reasons.append(f"TikTok is disconnected ({why}): connect it again to turn the pixel back on.")
    return PixelStatus(store.pixel_live, tuple(reasons))


def platform_setup(store):
    """What an Ecwid or VTEX IO store installs instead of per-event snippets (None elsewhere)."""
    base = current_app.config["TTC_PUBLIC_URL"]
    if store.platform == "ecwid":
        return {"tag": snippets.render_ecwid_tag(store.public_key, base),
                "url": f"{base}/pixel/{store.public_key}/ecwid.js"}
    if store.platform == "vtex-io":
        return {"command": f"flask --app wsgi snippet {store.public_key} --platform vtex-io --out tiktok-pixel-app",
                "listener": f"flask --app wsgi snippet {store.public_key} --platform vtex-io"}
    return None


def injector_commands(store, server_url):
    """The injector command lines for a Legacy CMS store: look first, then apply."""
    base = (f"python -m injector apply TEMPLATE_DIR --store {store.public_key} --server {server_url} "
            f"--platform vtex-legacy")
    return {"dry_run": base + " --dry-run", "diff": base + " --diff", "apply": base}
