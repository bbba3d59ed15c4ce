"""What the user sees: the summary table, the progress bar and unified diffs."""
import difflib
import shutil

PROGRESS_MIN_FILES = 100
_NO_NEWLINE = b"\n\\ No newline at end of file\n"


def write_table(stream, outcome, command: str, show_all: bool = True) -> None:
    """Write the summary table line by line: one pass sizes the columns, a second writes the rows,
    so a folder of any size is never held as text."""
    header = ("FILE", "KIND", "INSTALLED" if command == "status" else "CHANGE", "NOTE")
    widths, shown = [len(cell) for cell in header[:3]], 0
    for line in _lines(outcome.rows, show_all):
        widths = [max(width, len(cell)) for width, cell in zip(widths, line[:3], strict=True)]
        shown += 1
    widths = [min(60, width) for width in widths]
    if shown:
        stream.write(_format(header, widths) + "\n")
        for line in _lines(outcome.rows, show_all):
            stream.write(_format(line, widths) + "\n")
    stream.write(summary(outcome, command) + "\n")


def _lines(rows, show_all):
    for row in rows:
        if show_all or row.changed or row.problem:
            yield printable(row.rel), row.kind, row.change or "-", printable(_note(row))


def printable(name: str) -> str:
    """Text holding a file name, printable in any terminal encoding: undecodable bytes as \\xNN."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _note(row):
    if row.problem:
        return "PROBLEM: " + row.problem + (f" ({row.note})" if row.note else "")
    return row.note


def _format(cells, widths):
    padded = [cell.ljust(width) for cell, width in zip(cells[:3], widths, strict=True)]
    return "  ".join(padded + [cells[3]]).rstrip()


def summary(outcome, command: str) -> str:
    """One line of totals."""
    total = outcome.total
    changed = outcome.changed
    if command == "status":
        parts = [f"{total} files", f"{changed} not as apply would leave them"]
    else:
        parts = [f"{total} files", f"{changed} changed", f"{total - changed} unchanged"]
    parts.append(f"{outcome.problems} with problems")
    if outcome.stale_temps_removed:
        parts.append(f"{outcome.stale_temps_removed} leftover temporary files removed")
    return ", ".join(parts)


def unified_diff(rel: str, old: bytes, new: bytes) -> bytes:
    """A unified diff of one file's bytes, line endings and encoding kept as they are."""
    lines = difflib.diff_bytes(
        difflib.unified_diff,
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=b"a/" + rel.encode("utf-8", "surrogateescape"),
        tofile=b"b/" + rel.encode("utf-8", "surrogateescape"),
    )
    out = []
    for line in lines:
        out.append(line if line.endswith((b"\n", b"\r")) else line + _NO_NEWLINE)
    return b"".join(out)


class Progress:
    """A one-line progress bar on a terminal; silent for small folders and pipes."""

    def __init__(self, stream):
        self.stream = stream
        self.enabled = stream.isatty()
        self.shown = False
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        """Show that ``done`` of ``total`` files are examined."""
        if not self.enabled or total < PROGRESS_MIN_FILES:
            return
        percent = done * 100 // total
        if percent == self.last and done != total:
            return
        self.last = percent
        width = max(10, min(40, shutil.get_terminal_size((80, 20)).columns - 40))
        filled = width * done // total
        self.stream.write(f"\rexamining [{'#' * filled}{'.' * (width - filled)}] {done}/{total} files")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Clear the bar so the table starts on a clean line."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
