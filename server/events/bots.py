"""Known crawlers, previewers and scripted browsers: their "events" are not relayed to TikTok."""
import re

# Substrings of (lowercased) user agents that no shopper's browser sends. "bot" as a word ending
# (googlebot, bingbot, ahrefsbot...) but not inside a device name (CUBOT phones).
_BOTS = re.compile(
    r"(?<!cu)bot\b|crawl|spider|slurp|facebookexternalhit|facebookcatalog|bingpreview|mediapartners-google"
    r"|adsbot|apis-google|google-inspectiontool|lighthouse|pingdom|uptimerobot|phantomjs|python-requests"
    r"|python-urllib|aiohttp|curl/|wget/|go-http-client|okhttp|java/|scrapy|headless|bytespider|yandex"
    r"|baiduspider|semrush|petalbot|gptbot|ccbot|claudebot|amazonbot|prerender|rendertron")
# Every event of a page comes with the same few user agents: remember the verdicts (bounded).
_VERDICTS = {}
_REMEMBERED = 10_000


def is_bot(user_agent, *, allow_headless=False):
    """Whether ``user_agent`` is a crawler or a script; ``allow_headless`` lets HeadlessChrome through
    (browser tests, synthetic monitoring a merchant wants to see)."""
    if not user_agent:
        return True  # every browser sends one
    key = (user_agent, allow_headless)
    verdict = _VERDICTS.get(key)
    if verdict is None:
        agent = user_agent.lower()
        if allow_headless:
            agent = agent.replace("headlesschrome", "chrome")
        verdict = _BOTS.search(agent) is not None
        if len(_VERDICTS) >= _REMEMBERED:
            _VERDICTS.clear()
        _VERDICTS[key] = verdict
    return verdict
