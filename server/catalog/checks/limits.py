"""Size caps on what a feed may make the importer hold at once, and compressed feeds decoded within them.

A feed is read as a stream, so memory stays flat however many items it has; what could still
grow is one item: a field, a row, a row's columns, or the bytes a small compressed feed expands
to. Each has a cap (a setting); past it the feed is refused with the line it stopped at, before
the importer holds more than a few times the cap.
"""
import io
import zlib
from dataclasses import dataclass

KB = 1024
MB = 1024 * KB
GZIP_MAGIC = b"\x1f\x8b"
INFLATE_STEP = 1 << 18  # decoded bytes produced per call into zlib, whatever the compression ratio


class LimitExceeded(ValueError):
    """Raised when a feed passes one of its size caps; the feed reader adds the line."""


@dataclass(frozen=True)
class FeedLimits:
    """The caps (in bytes or characters, and columns) a feed is read under."""

    field: int = 1024 * KB
    row: int = 4 * MB
    columns: int = 1000
    decoded: int = 2048 * MB

    @classmethod
    def from_config(cls, config):
        """The caps the ``TTC_CATALOG_FEED_MAX_*`` settings give."""
        return cls(field=config["TTC_CATALOG_FEED_MAX_FIELD_KB"] * KB,
                   row=config["TTC_CATALOG_FEED_MAX_ROW_KB"] * KB,
                   columns=config["TTC_CATALOG_FEED_MAX_COLUMNS"],
                   decoded=config["TTC_CATALOG_FEED_MAX_DECODED_MB"] * MB)

    def field_too_long(self, what):
        """The message for a field past the cap."""
        return (f"{what} is longer than {self.field // KB} KB, the limit for one field "
                "(TTC_CATALOG_FEED_MAX_FIELD_KB)")

    def row_too_long(self, what):
        """The message for a row or an item past the cap."""
        return f"{what} is longer than {self.row // KB} KB, the limit for one row (TTC_CATALOG_FEED_MAX_ROW_KB)"

    def too_many_columns(self, what, count):
        """The message for a header or item with too many columns."""
        return (f"{what} has {count} columns; at most {self.columns} are read "
                "(TTC_CATALOG_FEED_MAX_COLUMNS)")


def compression_of(head):
    """``"gzip"`` or ``"deflate"`` when the feed's first bytes say it is compressed, else None."""
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0 and head[0] >> 4 <= 7:
        return "deflate"  # a zlib stream (what HTTP calls "deflate"); never the start of a text feed
    return None


class Inflated(io.RawIOBase):
    """The decoded bytes of a gzip (several members allowed) or zlib stream, at most ``limit`` of them.

    Each call into zlib produces at most ``INFLATE_STEP`` bytes, so a bomb (a few KB expanding to
    gigabytes) is decoded a step at a time like any feed, and refused once past ``limit``.
    """

    def __init__(self, stream, kind, limit):
        self._stream = stream
        self._wbits = 31 if kind == "gzip" else 15
        self._decoder = zlib.decompressobj(self._wbits)
        self._tail = b""  # compressed input zlib has not consumed yet
        self._limit = limit
        self.decoded = 0

    def readable(self):
        """A readable stream."""
        return True

    def readinto(self, buffer):
        """Decode into ``buffer``; raises ``LimitExceeded`` past the limit, ``ValueError`` on bad data."""
        while True:
            if self._decoder.eof:  # a gzip member ended: another may follow
                self._tail = self._decoder.unused_data or self._stream.read(INFLATE_STEP)
                if not self._tail:
                    return 0
                self._decoder = zlib.decompressobj(self._wbits)
            if not self._tail:
                self._tail = self._stream.read(INFLATE_STEP)
                if not self._tail:
                    if self.decoded:
                        raise ValueError("the compressed feed ends early (it was cut short)")
                    return 0
            try:
                data = self._decoder.decompress(self._tail, min(len(buffer), INFLATE_STEP))
            except zlib.error as error:
                raise ValueError(f"the compressed feed cannot be decoded ({error})") from None
            self._tail = self._decoder.unconsumed_tail
            if data:
                self.decoded += len(data)
                if self.decoded > self._limit:
                    size = f"{self._limit // MB} MB" if self._limit >= MB else f"{self._limit // KB} KB"
                    raise LimitExceeded(f"the feed decodes to more than {size}, the limit for a compressed feed "
                                        "(TTC_CATALOG_FEED_MAX_DECODED_MB)")
                buffer[:len(data)] = data
                return len(data)
