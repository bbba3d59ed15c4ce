"""A platform's products as a Google Merchant feed stream, so a pull is imported like any feed.

Items (dicts of Merchant field names) are rendered to RSS as they are read, a few at a time:
memory stays flat, and an error raised while the platform is being read surfaces from ``read``,
which fails the import before anything is removed.
"""
import io
import re
from xml.sax.saxutils import escape

HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>\n')
TAIL = b"</channel></rss>\n"
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def render_item(item):
    """One item as an RSS ``<item>`` (bytes)."""
    parts = ["<item>"]
    for name, value in item.items():
        if value is None or value == "":
            continue
        for one in value if isinstance(value, list) else (value,):
            text = escape(NOT_XML.sub("", str(one)))
            parts.append(f"<g:{name}>{text}</g:{name}>")
    parts.append("</item>\n")
    return "".join(parts).encode("utf-8")


class ItemStream(io.RawIOBase):
    """A readable binary stream of the feed made from ``items`` (an iterable of dicts)."""

    def __init__(self, items):
        self._items = iter(items)
        self._buffer = bytearray(HEAD)
        self._done = False
        self.count = 0

    def readable(self):
        """A readable stream."""
        return True

    def readinto(self, buffer):
        """Fill ``buffer`` with the next bytes of the feed (0 at its end)."""
        want = len(buffer)
        while len(self._buffer) < want and not self._done:
            try:
                item = next(self._items)
            except StopIteration:
                self._buffer += TAIL
                self._done = True
                break
            self._buffer += render_item(item)
            self.count += 1
        size = min(want, len(self._buffer))
        buffer[:size] = self._buffer[:size]
        del self._buffer[:size]
        return size
