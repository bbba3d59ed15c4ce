"""What a merchant reads when an XML feed is malformed, and the control characters cleaned out of it.

Expat names an error by a code and a byte position; a merchant needs the line and column, the
character that is wrong and what to write instead. Control characters XML forbids (U+0000 to
U+001F but tab, line feed and carriage return) are common in exports of product text pasted from
elsewhere; Merchant Center drops them, so they are removed here too, and counted.
"""
import re
import xml.parsers.expat as expat

CONTROL_BYTES = bytes(code for code in range(32) if code not in (9, 10, 13))
CONTROL = re.compile(b"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SHOWN_PLACES = 5
REFERENCE = re.compile(rb"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#x[0-9A-Fa-f]+);")
ERRORS = expat.errors


class ControlCharacters:
    """Removes the control characters XML forbids from a UTF-8 (or any ASCII-based) byte stream,
    remembering how many and on which lines."""

    def __init__(self):
        self.count = 0
        self.line = 1  # the line the next chunk starts on
        self.places = []  # (line, code point) of the first few
        self.codes = set()

    def clean(self, chunk):
        """``chunk`` without control characters (a byte below 0x20 is always one character)."""
        cleaned = chunk.translate(None, CONTROL_BYTES)
        if len(cleaned) != len(chunk):
            for match in CONTROL.finditer(chunk):
                self.count += 1
                self.codes.add(match.group()[0])
                if len(self.places) < SHOWN_PLACES:
                    self.places.append(self.line + chunk.count(b"\n", 0, match.start()))
        self.line += cleaned.count(b"\n")
        return cleaned

    def notice(self):
        """One sentence for the import summary."""
        codes = ", ".join(f"U+{code:04X}" for code in sorted(self.codes))
        lines = ", ".join(str(line) for line in dict.fromkeys(self.places))
        more = ", ..." if self.count > len(self.places) else ""
        plural = "s" if self.count != 1 else ""
        return (f"{self.count} control character{plural} that XML does not allow ({codes}) removed, "
                f"on line{'s' if len(set(self.places)) > 1 or more else ''} {lines}{more}")


def describe_xml_error(error, data, index):
    """The message for expat's ``error`` where ``data[index]`` is the byte it stopped at."""
    column = error.offset + 1
    ampersand = _raw_ampersand(error.code, data, index)
    if ampersand is not None:  # expat stops after the name that follows it: point at the "&" itself
        column -= index - ampersand
        index = ampersand
    elif error.code == ERRORS.codes[ERRORS.XML_ERROR_INVALID_TOKEN] and data[index - 1:index] == b"<":
        column, index = column - 1, index - 1  # a "<" followed by what cannot start a tag
    elif error.code == ERRORS.codes[ERRORS.XML_ERROR_TAG_MISMATCH] and data[index - 2:index] == b"</":
        column -= 2  # expat points at the closing tag's name; the merchant looks for its "</"
    where = f"line {error.lineno}, column {max(column, 1)}"
    character = _character_at(data, index)
    named = error.code in (ERRORS.codes[ERRORS.XML_ERROR_TAG_MISMATCH], ERRORS.codes[ERRORS.XML_ERROR_UNDEFINED_ENTITY])
    shown = f" at {_show(character)}" if character and not named else ""
    hint = _hint(error.code, data, index, character)
    return f"{where}: the XML is malformed ({expat.ErrorString(error.code)}{shown}){': ' + hint if hint else ''}"


def _character_at(data, index):
    if not 0 <= index < len(data):
        return ""
    return data[index:index + 4].decode("utf-8", "replace")[:1]


def _show(character):
    if character.isprintable() and not character.isspace():
        return f"{character!r}"
    return f"U+{ord(character):04X}"


def _raw_ampersand(code, data, index):
    """Where the "&" that is not a reference sits, when it is what made the XML malformed."""
    if code != ERRORS.codes[ERRORS.XML_ERROR_INVALID_TOKEN]:
        return None
    start = max(0, index - 64)
    found = data.rfind(b"&", start, index + 1)
    if found < 0 or REFERENCE.match(data, found) or re.search(rb"[<>\s]", data[found:index]):
        return None
    return found


def _hint(code, data, index, character):
    if code == ERRORS.codes[ERRORS.XML_ERROR_INVALID_TOKEN]:
        if character == "&":
            return "a raw & (often in a URL's query): write &amp; or put the value in <![CDATA[...]]>"
        if character == "<":
            return "a raw < in text: write &lt; or put the value in <![CDATA[...]]>"
        if character and ord(character) < 32:
            return "a control character XML does not allow"
        return "a character that cannot appear here"
    if code == ERRORS.codes[ERRORS.XML_ERROR_UNDEFINED_ENTITY]:
        name = re.match(rb"&([^;\s<]*);?", data[index:index + 40])
        entity = name.group(1).decode("utf-8", "replace") if name else ""
        return (f"&{entity}; is an HTML entity XML does not know: write the character itself, or a numeric "
                f"reference such as &#160; for &nbsp;, or put the text in <![CDATA[...]]>")
    if code == ERRORS.codes[ERRORS.XML_ERROR_UNBOUND_PREFIX]:
        return "a namespace prefix is used without being declared (xmlns:prefix=\"...\")"
    if code == ERRORS.codes[ERRORS.XML_ERROR_TAG_MISMATCH]:
        closing = re.match(rb"[^\s>]*", data[index:index + 80])  # expat points at the closing tag's name
        name = closing.group().decode("utf-8", "replace") or "?"
        return f"</{name}> does not close the element opened last (an element left open, or a typo in a name)"
    if code == ERRORS.codes[ERRORS.XML_ERROR_NO_ELEMENTS] or code == ERRORS.codes[ERRORS.XML_ERROR_UNCLOSED_TOKEN]:
        return "the feed ends too early: it was cut off while being written or downloaded"
    if code == ERRORS.codes[ERRORS.XML_ERROR_JUNK_AFTER_DOC_ELEMENT]:
        return "there is text after the end of the feed (two feeds joined, or an error message appended)"
    return ""
