"""Disk I/O at the edge: walking the template folder, reading, and atomic, durable writes.

A write goes to a temporary file in the same folder, is flushed and fsynced, then renamed over
the template, so a crash at any moment leaves each template whole: old bytes or new bytes.
Temporary files are hidden and end in ``.tiktok-injector.tmp``: nothing mistakes them for
templates, and the next run that writes removes any left by a killed one.

A read and a write are each one call into ``_fastio`` (compiled from ``_fastio.c``, where a C
compiler was found on install): every system call made from Python lets go of the interpreter lock
and must take it back, and with a dozen writer threads that hand-over costs more than the calls.
The Python code below does the same, call by call, where the module is not built (and writes when
a backup is asked for).
"""
import fnmatch
import os
import random
import re
import stat
import tempfile
from dataclasses import dataclass

from .errors import FileError

try:
    from . import _fastio
except ImportError:  # installed without a C compiler
    _fastio = None

TEMP_SUFFIX = ".tiktok-injector.tmp"
_TEMP_NAME = re.compile(r"^\..+\.[A-Za-z0-9_]{8}" + re.escape(TEMP_SUFFIX) + "$")
_VCS_DIRS = frozenset((".git", ".hg", ".svn"))
CHANGED = "changed while the injector was running: not written"
NO_TEMP_NAME = "cannot write: no free name for a temporary file in its folder"
TEMP_NAME_TRIES = 100  # names tried before giving up (each is 32 random bits: a clash is rare)
_temp_names = random.Random()  # names, not secrets: O_EXCL makes a taken name fail, never clobber


@dataclass(frozen=True, slots=True)
class Entry:
    """One file found under the template folder."""

    rel: str  # relative path with "/"
    path: str
    skip_kind: str = ""  # set when the file is not read at all
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Selection:
    """Which files the user wants looked at."""

    include: tuple = ()
    exclude: tuple = ()
    suffixes: frozenset = frozenset()  # template file extensions, lowercased with the dot
    max_bytes: int = 2 * 1024 * 1024
    skip_dirs: tuple = ()  # real paths never walked into (the backup folder)


def walk(root: str, selection: Selection, stale_temps: list | None = None):
    """Yield an Entry for every selected file under ``root``, in no particular order (the run's
    ledger sorts them); of each folder's listing only the names of its sub-folders are held.

    Symlinks are never followed: one leading outside the folder is reported as such, one inside
    it is skipped because its target is listed under its own name.
    """
    real_root = os.path.realpath(root)
    yield from _walk_dir(real_root, real_root, "", selection, stale_temps)


def _walk_dir(real_root, directory, prefix, selection, stale_temps):
    folders = []  # walked once this folder's listing is closed
    for item in _listing(directory):
        rel = prefix + item.name
        if item.is_symlink():
            if _selected(rel, selection):
                yield _symlink_entry(real_root, item.path, rel)
        elif item.is_dir():
            if item.name not in _VCS_DIRS and os.path.realpath(item.path) not in selection.skip_dirs:
                folders.append((item.path, rel + "/"))
        elif _TEMP_NAME.match(item.name):
            if stale_temps is not None:
                stale_temps.append(item.path)
        elif _selected(rel, selection):
            yield _file_entry(item, rel, selection)
    for path, folder_prefix in folders:
        yield from _walk_dir(real_root, path, folder_prefix, selection, stale_temps)


def _listing(directory):
    try:
        with os.scandir(directory) as listing:
            yield from listing
    except OSError as exc:
        raise FileError(f"cannot list {directory}: {exc.strerror}") from exc


def _selected(rel, selection):
    name = rel.rpartition("/")[2]
    if any(fnmatch.fnmatchcase(rel, g) or fnmatch.fnmatchcase(name, g) for g in selection.exclude):
        return False
    if not selection.include:
        return True
    return any(fnmatch.fnmatchcase(rel, g) or fnmatch.fnmatchcase(name, g) for g in selection.include)


def _symlink_entry(real_root, path, rel):
    target = os.path.realpath(path)
    if os.path.commonpath([real_root, target]) != real_root:
        return Entry(rel, path, "skipped", "symlink leading outside the template folder: not followed")
    return Entry(rel, path, "skipped", "symlink: its target is processed under its own name")


def _file_entry(item, rel, selection):
    try:
        info = item.stat(follow_symlinks=False)
    except OSError as exc:
        return Entry(rel, item.path, "skipped", f"cannot stat: {exc.strerror}")
    if not stat.S_ISREG(info.st_mode):
        return Entry(rel, item.path, "skipped", "not a regular file")
    suffix = os.path.splitext(item.name)[1].lower()
    if suffix not in selection.suffixes and not selection.include:
        return Entry(rel, item.path, "not a template", f"not a template ({suffix or 'no extension'})")
    if info.st_size > selection.max_bytes:
        return Entry(rel, item.path, "skipped", f"larger than the {selection.max_bytes:,}-byte limit")
    return Entry(rel, item.path)


def read(path: str, max_bytes: int) -> tuple:
    """(bytes, signature) of a template; the signature detects a change before the write."""
    if _fastio is not None:
        try:
            data, signature = _fastio.read(path, max_bytes)
        except OSError as exc:
            raise FileError(f"cannot read: {exc.strerror}") from exc
        if data is None:
            raise FileError(f"larger than the {max_bytes:,}-byte limit")
        return data, signature
    try:
        handle = os.open(path, os.O_RDONLY)
        try:
            info = os.fstat(handle)
            if info.st_size > max_bytes:
                raise FileError(f"larger than the {max_bytes:,}-byte limit")
            data = _read_all(handle, info.st_size)
        finally:
            os.close(handle)
    except OSError as exc:
        raise FileError(f"cannot read: {exc.strerror}") from exc
    return data, _signature(info)


def _read_all(handle, size):
    # Plain os.read on the descriptor: a file object would stat and seek again for nothing.
    chunks = [os.read(handle, size + 1)]
    step = 1  # the next read almost always only finds the end: ask for one byte, not a 64 KB buffer
    while chunks[-1]:  # until the end of the file, even if it grew since the fstat
        chunks.append(os.read(handle, step))
        step = 1 << 16
    return b"".join(chunks)


def _signature(info):
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_mode)


def write_atomic(path: str, data: bytes, signature: tuple, backup: str | None = None) -> None:
    """Replace the file at ``path`` with ``data`` unless it changed since it was read."""
    if _fastio is not None and not backup:
        _replace(path, data, signature)
        return
    directory, name = os.path.split(path)
    try:
        info = os.lstat(path)
        if _signature(info) != signature:
            raise FileError(CHANGED)
        if backup:
            _write_backup(path, backup, info)
        handle, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=TEMP_SUFFIX, dir=directory)
    except OSError as exc:
        raise FileError(f"cannot write: {exc.strerror}") from exc
    try:
        try:
            _write_all(handle, data)
            os.fchmod(handle, stat.S_IMODE(info.st_mode))
            _keep_owner(handle, info)
            _sync(handle)
        finally:
            os.close(handle)
        os.replace(temp, path)
    except BaseException as exc:
        _unlink_quietly(temp)
        if isinstance(exc, OSError):
            raise FileError(f"cannot write: {exc.strerror}") from exc
        raise


def _replace(path, data, signature):
    """write_atomic in one call: _fastio.replace checks the signature, writes a temporary file
    named as mkstemp would, syncs it and renames it over the file."""
    directory, name = os.path.split(path)
    for _try in range(TEMP_NAME_TRIES):
        temp = os.path.join(directory, f".{name}.{_temp_names.getrandbits(32):08x}{TEMP_SUFFIX}")
        try:
            status = _fastio.replace(path, temp, data, signature)
        except OSError as exc:
            raise FileError(f"cannot write: {exc.strerror}") from exc
        if status == _fastio.CHANGED:
            raise FileError(CHANGED)
        if status != _fastio.TEMP_TAKEN:
            return
    raise FileError(NO_TEMP_NAME)


def _write_all(handle, data):
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view):]


def _sync(handle):
    # fdatasync flushes the data and the size a new file needs; the rename is made durable by
    # sync_directories once per folder.
    (getattr(os, "fdatasync", None) or os.fsync)(handle)


def _keep_owner(handle, info):
    if (info.st_uid, info.st_gid) == (os.geteuid(), os.getegid()):
        return
    try:
        os.fchown(handle, info.st_uid, info.st_gid)
    except PermissionError:
        pass  # only root may give a file away; the new file then belongs to whoever ran us


def _write_backup(path, backup, info):
    os.makedirs(os.path.dirname(backup), exist_ok=True)
    with open(path, "rb") as source, open(backup, "wb") as out:
        out.write(source.read())
        os.fchmod(out.fileno(), stat.S_IMODE(info.st_mode))
        out.flush()
        os.fsync(out.fileno())


def sync_directories(directories) -> None:
    """fsync each folder once, so the renames in it survive a power cut."""
    for directory in sorted(set(directories)):
        try:
            handle = os.open(directory, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(handle)
        except OSError:
            pass  # some filesystems cannot fsync a directory; the renames are still atomic
        finally:
            os.close(handle)


def remove_stale_temps(paths) -> int:
    """Delete temporary files a killed run left behind; returns how many went."""
    removed = 0
    for path in paths:
        if _unlink_quietly(path):
            removed += 1
    return removed


def _unlink_quietly(path):
    try:
        os.unlink(path)
        return True
    except OSError:
        return False
