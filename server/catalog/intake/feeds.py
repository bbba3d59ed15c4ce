"""Product feeds in Google Merchant Center format, read as a stream: RSS 2.0, RSS 1.0, Atom 1.0 or
Atom 0.3 XML with the ``g:`` namespace, or CSV/TSV with the same column names. Memory stays flat
whatever the feed size.

XML goes through expat directly with every DTD, entity declaration and external entity refused,
so entity-expansion and external-entity attacks fail at their first byte. Every error names the
line (and the item) it is about; a malformed feed also gets the column, the character and a hint.
A field, a row (an item), a header's columns and the decoded size of a gzip or zlib-compressed
feed each have a cap (``limits.FeedLimits``), so one item cannot make the reader hold more than a
few times its cap.

Elements are read by their local names, without namespace processing: a product field is the
element's name after any prefix, and an item is any ``item`` or ``entry``. Feeds that use ``g:``
without declaring it (Merchant Center reads them) and Atom 0.3 feeds then read like the others.
What the reader noticed but read anyway (unknown columns, control characters XML forbids, an
undeclared prefix) goes to ``notices``, a list of sentences for the import's summary.
"""
import codecs
import csv
import functools
import io
import itertools
import xml.parsers.expat as expat
from collections import deque
from dataclasses import dataclass

from server.catalog.checks import columns
from server.catalog.checks.limits import FeedLimits, Inflated, compression_of
from server.catalog.errors import CatalogError
from server.catalog.intake.feed_errors import ControlCharacters, describe_xml_error

CHUNK = 1 << 18  # 256 KB of feed at a time: a few hundred items, whatever the feed size
ITEM_ELEMENTS = frozenset(("item", "entry"))
LIST_FIELDS = {"additional_image_link", "additional_image_links"}
# Atom's own <id> names the entry; a feed's <g:id> (any prefixed id) names the product and wins.
PREFIXED_ID = " id"  # the field name a prefixed id is read under: no element is named so
SPECIAL_FIELDS = LIST_FIELDS | {PREFIXED_ID}


class FeedError(CatalogError, ValueError):
    """Raised when a feed cannot be read on (bad XML, a DTD, broken CSV); names the line."""


@dataclass
class FeedItem:
    """One item of a feed: where it is (``position``) and its fields, or why it could not be read."""

    number: int
    position: str
    fields: dict | None = None
    error: str | None = None


class CountingReader(io.RawIOBase):
    """A binary stream that counts the bytes read through it (for progress bars)."""

    def __init__(self, stream):
        self._stream = stream
        self.consumed = 0

    def readable(self):
        """A readable stream."""
        return True

    def readinto(self, buffer):
        """Read into ``buffer``, counting the bytes."""
        data = self._stream.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.consumed += size
        return size


def read_feed(stream, limits=None, notices=None):
    """Yield ``FeedItem``s from a binary stream, XML or CSV/TSV (decided by the first bytes), read
    under ``limits`` (``FeedLimits``; the defaults if None); a gzip or zlib stream is decoded first.
    What was read anyway but deserves a word is appended to ``notices`` (a list), once per kind."""
    limits = limits or FeedLimits()
    notices = [] if notices is None else notices
    buffered = stream if isinstance(stream, io.BufferedReader) else io.BufferedReader(stream, CHUNK)
    compression = compression_of(buffered.peek(2)[:2])
    if compression:
        buffered = io.BufferedReader(Inflated(buffered, compression, limits.decoded), CHUNK)
    try:
        head = buffered.peek(512)[:512]
    except ValueError as error:  # a compressed feed past its cap, or not decodable
        raise FeedError(f"line 1: {error}") from None
    wide = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    text = head.decode("utf-8", "ignore") if not wide else "<"
    if text.lstrip("\ufeff \t\r\n").startswith("<"):
        return _read_xml(buffered, limits, notices, clean=not wide)
    return _read_csv(buffered, limits, notices)


def _read_xml(stream, limits, notices, *, clean=True):
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    reader = _XmlItems(parser, limits)
    # In UTF-16 a control character's byte is half of an ordinary character: nothing to clean.
    control = ControlCharacters() if clean else None
    start, previous = 0, b""  # where ``chunk`` starts in the feed; the end of the chunk before it
    while True:
        try:
            chunk = stream.read(CHUNK)
        except ValueError as error:  # a compressed feed past its cap, or not decodable
            raise FeedError(f"line {parser.CurrentLineNumber}: {error}") from None
        if control is not None:
            chunk = control.clean(chunk)
        try:
            parser.Parse(chunk, not chunk)
        except expat.ExpatError as error:
            index = parser.ErrorByteIndex - start + len(previous)
            raise FeedError(describe_xml_error(error, previous + chunk, index)) from None
        start += len(chunk)
        previous = chunk[-256:]
        if start - max(parser.CurrentByteIndex, 0) > limits.row:  # expat holds one unfinished tag that long
            raise FeedError(f"line {parser.CurrentLineNumber}: " + limits.row_too_long("a tag"))
        while reader.done:
            yield reader.done.popleft()
        if not chunk:
            break
    if reader.count == 0 and not reader.saw_channel:
        raise FeedError("line 1: no <item> or <entry> elements: this is not an RSS or Atom product feed")
    if control is not None and control.count:
        notices.append(control.notice())
    if reader.undeclared:
        prefixes = ", ".join(f"{prefix}:" for prefix in sorted(reader.undeclared))
        notices.append(f"the feed uses the {prefixes} prefix without declaring it (xmlns:g=\"{columns.GOOGLE}\"); "
                       "its fields were read as Merchant Center fields")
    notices.extend(columns.unknown_column_notices(reader.names, xml=True))


class _XmlItems:
    """Expat callbacks that collect each item's direct children as fields."""

    def __init__(self, parser, limits):
        self.parser = parser
        self.limits = limits
        self.field_limit = limits.field
        self.row_limit, self.column_limit = limits.row, limits.columns
        self.size = 0  # characters of the field being read
        self.item_size = 0  # characters of the item's fields read so far
        self.done = deque()
        self.count = 0
        self.saw_channel = False
        self.item = None
        self.depth = 0
        self.field = None
        self.text = None
        self.locals = {}  # an element's name as written ("g:price") -> its local name ("price")
        self.names = {}  # local field name -> the name as first written, for the summary
        self.declared = set()  # namespace prefixes declared outside the items
        self.undeclared = set()
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.data
        parser.StartDoctypeDeclHandler = self.refuse
        parser.EntityDeclHandler = self.refuse
        parser.ExternalEntityRefHandler = self.refuse

    def refuse(self, *args):
        """Expat handler for DTDs and entity declarations: refuse the feed."""
        raise FeedError(f"line {self.parser.CurrentLineNumber}: the feed declares a DTD or entities, "
                        "which are refused (product feeds never need them)")

    def start(self, name, attrs):
        """Expat handler: an element opens."""
        if self.item is not None and self.depth == 0:  # a field of the item (the common case)
            self.depth = 1
            local = self.locals.get(name) or self._local(name)
            self.field, self.text, self.size = local, None, 0
            if local == "link" and attrs and attrs.get("href") and attrs.get("rel", "alternate") == "alternate":
                self.item.setdefault("link", attrs["href"])
            return
        if self.item is None:
            if attrs:
                self.declared.update(key[6:] for key in attrs if key.startswith("xmlns:"))
            local = name.rpartition(":")[2]
            if local in ITEM_ELEMENTS:
                self.count += 1
                self.item, self.depth, self.item_size = {}, 0, 0
                self.line = self.parser.CurrentLineNumber
            elif local in ("channel", "feed"):
                self.saw_channel = True
            return
        self.depth += 1

    def _local(self, name):
        prefix, _, local = name.rpartition(":")
        if prefix and prefix not in self.declared and prefix != "xml":
            self.undeclared.add(prefix)
        if len(self.locals) < 1024:
            self.names.setdefault(local, name)
        if prefix and local == "id":
            local = PREFIXED_ID
        if len(self.locals) < 1024:
            self.locals[name] = local
        return local

    def end(self, name):
        """Expat handler: an element closes (an item is complete when its element closes)."""
        if self.item is None:
            return
        depth = self.depth
        if depth == 1:
            field = self.field
            if field:
                value = self.text
                if value is not None:
                    value = (value if value.__class__ is str else "".join(value)).strip()
                if value:
                    item = self.item
                    if field not in SPECIAL_FIELDS:
                        item.setdefault(field, value)
                    elif field is PREFIXED_ID:
                        item["id"] = value
                    else:
                        item.setdefault(field, []).append(value)
                    self.item_size += self.size
                    if self.item_size > self.row_limit:
                        self._refuse(self.limits.row_too_long(f"item {self.count}"))
                    if len(item) > self.column_limit:
                        self._refuse(self.limits.too_many_columns(f"item {self.count}", len(item)))
                self.field = None
            self.depth = 0
        elif depth == 0:
            self.done.append(FeedItem(self.count, f"item {self.count} (line {self.line})", fields=self.item))
            self.item = None
        else:
            self.depth = depth - 1

    def _refuse(self, message):
        raise FeedError(f"line {self.line}: {message}")

    def data(self, text):
        """Expat handler: text inside the current field (one piece, or a list of pieces)."""
        if self.field is not None and self.depth == 1:
            self.size += len(text)
            if self.size > self.field_limit:
                self._refuse(self.limits.field_too_long(f"the <{self.field}> of item {self.count}"))
            if self.text is None:
                self.text = text
            elif self.text.__class__ is str:
                self.text = [self.text, text]
            else:
                self.text.append(text)


def _read_csv(stream, limits, notices):
    lines = _Lines(stream, limits)
    first = next(lines, "").removeprefix("\ufeff")
    if "\r" in first.rstrip("\r\n"):
        raise FeedError("line 1: the lines end with a lone carriage return (CR); save the feed with LF or CRLF "
                        "line ends")
    delimiter = max(("\t", ",", ";", "|"), key=first.count)
    # The csv module's field cap is process-wide: every feed is read under the configured one.
    csv.field_size_limit(limits.field)
    reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
    written = _next_row(reader, lines, limits) or []
    header = [_column(name) for name in written]
    if len(header) > limits.columns:
        raise FeedError("line 1: " + limits.too_many_columns("the header", len(header)))
    read_row = _row_reader(header)
    if not columns.has_id(header):
        raise FeedError("line 1: the header has no id column (expected Google Merchant Center names: "
                        "id, title, description, link, image_link, price, ...)")
    notices.extend(columns.unknown_column_notices(dict(zip(header, written, strict=True))))
    number = 0
    start_record = lines.start_record
    while True:
        start_record()  # _next_row, inlined: once per row of the feed
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _csv_error(error, reader, lines, limits) from None
        if not any(cell.strip() for cell in row):
            continue
        number += 1
        position = f"line {reader.line_num}"
        if len(row) != len(header):
            yield FeedItem(number, position, error=f"has {len(row)} columns; the header has {len(header)}")
            continue
        yield FeedItem(number, position, fields=read_row(row))


def _next_row(reader, lines, limits):
    """The next row of ``reader`` (None at the end); its size is counted from here on."""
    lines.start_record()
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as error:
        raise _csv_error(error, reader, lines, limits) from None


def _csv_error(error, reader, lines, limits):
    """The ``FeedError`` for a row the csv module could not read."""
    if "field larger than field limit" in str(error):
        return FeedError(f"line {lines.number}: " + limits.field_too_long("a field"))
    return FeedError(f"line {reader.line_num}: {error}")


class _Lines:
    """A feed's lines as text for ``csv.reader``. Each line is decoded on its own, so an encoding
    error names its own line, and a row (one line, or several inside quotes) longer than the row
    cap is refused before it is held whole."""

    def __init__(self, stream, limits):
        self.readline = stream.readline
        self.limits = limits
        self.limit = limits.row
        self.number = 0  # lines read
        self.first = 1  # the line the current row starts on
        self.size = 0  # bytes of the current row

    def start_record(self):
        """A new row starts with the next line."""
        self.first, self.size = self.number + 1, 0

    def __iter__(self):
        return self

    def __next__(self):
        try:
            line = self.readline(self.limit + 1)
        except ValueError as error:  # a compressed feed past its cap, or not decodable
            raise FeedError(f"line {self.number + 1}: {error}") from None
        if not line:
            raise StopIteration
        self.number += 1
        self.size += len(line)
        if self.size > self.limit:
            what = "the header" if self.first == 1 else "the row"
            raise FeedError(f"line {self.first}: " + self.limits.row_too_long(what))
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise FeedError(f"line {self.number}: the feed is not UTF-8 text (byte 0x{line[error.start]:02x}, "
                            f"the line's byte {error.start + 1})") from None


def _column(name):
    return name.strip().lower().removeprefix("g:").replace(" ", "_").replace("-", "_")


def _row_reader(header):
    """``read(row)`` -> fields for rows under ``header``: a comprehension when every column is
    named once (the usual feed), else the general ``_row``."""
    if len(set(header)) < len(header):
        return functools.partial(_row, header)
    lists = [name for name in header if name in LIST_FIELDS]

    def read(row):
        fields = {name: value for name, value in zip(header, map(str.strip, row), strict=True) if value}
        for name in lists:
            if name in fields:  # a text feed separates several URLs in one cell with commas
                fields[name] = [part.strip() for part in fields[name].split(",") if part.strip()]
        return fields

    return read


def _row(header, row):
    fields = {}
    for name, value in zip(header, row, strict=True):
        value = value.strip()
        if not value:
            continue
        if name in LIST_FIELDS:  # a text feed separates several URLs in one cell with commas
            fields.setdefault(name, []).extend(part.strip() for part in value.split(",") if part.strip())
        else:
            fields.setdefault(name, value)
    return fields
