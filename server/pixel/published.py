"""Each store's pixel scripts published as files, for nginx to serve without asking the app.

With ``TTC_PIXEL_PUBLISH_DIR`` set, the first request for a store's script that reaches the app
(nginx found no file) also writes ``<dir>/pixel/<key>.js`` and ``<dir>/pixel/<key>/ecwid.js``, the
bytes the app answers. ``deploy/nginx/pixel-cache.conf`` serves those files as static files and
sends everything else to the app. A file's modification time is ``representation.file_time(bytes)``,
so nginx's own ETag for it is the app's ETag, and a browser's If-None-Match gets the same 304 from
either.

Keeping the files honest:
- A committed change to a store removes its files (``purge``, after the version board is bumped), so
  nginx asks the app again and the app writes the new bytes. Only processes on this host see the
  board; they are the ones that remove files.
- A file is written from a cached entry the board said was current; if the board moved while it was
  written (a change committed meanwhile), the file is removed again rather than left stale.
- Every file is removed once it is ``TTC_PIXEL_REVALIDATE_SECONDS`` old (``sweep``, run by a thread
  in each server process, at most once a half-period on the host). A change committed on another
  host bumps no board here: it reaches browsers within two and a half periods (a file is written
  from a worker's copy at most a period old, and removed at most one and a half periods later)
  plus the max-age.
- A file that cannot be written (permissions, a full disk) is logged and left to the app, which
  answers every request itself as it would without publishing.
"""
import logging
import os
import re
import secrets
import threading
import time
import weakref

from server.pixel.representation import file_time

log = logging.getLogger(__name__)

KEY = re.compile(r"[A-Za-z0-9_-]{8,43}\Z")  # store keys (server.security.new_public_key)
TEMP_SUFFIX = ".tmp"
SWEPT = ".swept"  # its mtime: when a process on this host last swept
RECHECK_SECONDS = 1.0  # an app hit checks a store's files at most this often per process
LOG_EVERY = 60.0


def relative_paths(key):
    """The files of one store under the publish folder, as nginx's $uri finds them, by the
    ``CachedStore`` field they hold (config.json varies by Origin: not published)."""
    return {"script": f"pixel/{key}.js", "ecwid": f"pixel/{key}/ecwid.js"}


class Publisher:
    """Writes, removes and ages out the published files of one publish folder."""

    def __init__(self, root, board, max_age_seconds):
        self.root = os.path.abspath(root)
        self.board = board
        self.max_age = float(max_age_seconds)
        self._checked = {}  # store key -> (script ETag, monotonic time of the last check)
        self.sweeping = False
        self._last_log = {}  # message -> monotonic time it was last logged
        _reset_after_fork(self)

    def ensure(self, key, entry):
        """Make sure ``entry``'s files (a current ``CachedStore``) are in place; never raises."""
        now = time.monotonic()
        checked = self._checked.get(key)
        if checked is not None and checked[0] == entry.script.etag and now - checked[1] < RECHECK_SECONDS:
            return
        self._checked[key] = (entry.script.etag, now)
        if not KEY.match(key):
            return
        try:
            for kind, relative in relative_paths(key).items():
                self._put(os.path.join(self.root, relative), getattr(entry, kind))
        except OSError as error:
            self._warn("could not publish the pixel files of store %s under %s: %s", key, self.root, error)
            return
        if self.board.read(entry.slot) != entry.seen:  # changed while we wrote: do not leave it behind
            self.purge([key])

    def purge(self, keys):
        """Remove these stores' files (after their change is committed and the board bumped)."""
        for key in keys:
            self._checked.pop(key, None)
            if not KEY.match(key):
                continue
            for relative in relative_paths(key).values():
                try:
                    os.unlink(os.path.join(self.root, relative))
                except (FileNotFoundError, NotADirectoryError):  # nothing published there
                    pass
                except OSError as error:
                    self._warn("could not remove the pixel file %s under %s: %s", relative, self.root, error)

    def sweep(self, now=None):
        """Remove every file older than the revalidation period (and temp files left by a crash);
        returns how many were removed."""
        cutoff = (time.time() if now is None else now) - self.max_age
        removed = 0
        for folder, _subfolders, names in os.walk(os.path.join(self.root, "pixel")):
            for name in names:
                path = os.path.join(folder, name)
                try:
                    if os.lstat(path).st_ctime < cutoff:
                        os.unlink(path)
                        removed += 1
                except FileNotFoundError:
                    pass
        return removed

    def _put(self, path, representation):
        body = representation.body
        stamp = file_time(body)
        try:
            info = os.stat(path)
            if int(info.st_mtime) == stamp and info.st_size == len(body):
                return
        except FileNotFoundError:
            pass
        temp = f"{path}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        except FileNotFoundError:  # the store's folder is new (or was swept): make it and go on
            os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        try:
            with os.fdopen(fd, "wb", closefd=True) as out:
                out.write(body)
                out.flush()
                os.fchmod(out.fileno(), 0o644)  # readable by nginx's user whatever the umask
                os.utime(out.fileno(), (stamp, stamp))
            os.rename(temp, path)
        except BaseException:
            _unlink_quietly(temp)
            raise

    def start(self):
        """Start this process's sweeper thread (once per process: PixelEdge does, on its first request)."""
        if self.sweeping:
            return
        self.sweeping = True
        threading.Thread(target=self._sweep_forever, name="ttc-pixel-sweep", daemon=True).start()

    def _sweep_forever(self):
        period = max(self.max_age / 2, 0.5)
        while True:
            time.sleep(period)
            self._sweep_guarded(period)

    def _sweep_guarded(self, period):
        """One turn of the sweeper thread, which must keep running whatever happens."""
        try:
            self._sweep_if_due(period)
        except OSError as exc:  # a folder that cannot be used: said at most once a minute
            self._warn("sweeping the published pixel files under %s failed: %s", self.root, exc)
        except Exception:  # the outer edge of the sweeper thread
            log.exception("sweeping the published pixel files under %s failed", self.root)

    def _sweep_if_due(self, period):
        if not os.path.isdir(self.root):
            return  # nothing published yet (the first file written makes the folder)
        marker = os.path.join(self.root, SWEPT)
        try:
            if time.time() - os.stat(marker).st_mtime < period * 0.9:
                return  # another process on this host swept just now
        except FileNotFoundError:
            pass
        with open(marker, "ab"):
            pass
        os.utime(marker)
        self.sweep()

    def _warn(self, message, *args):
        now = time.monotonic()
        if now - self._last_log.get(message, -LOG_EVERY) >= LOG_EVERY:  # each at most once a minute
            self._last_log[message] = now
            log.warning(message, *args)


def _unlink_quietly(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def _reset_after_fork(publisher):
    # A forked server worker has no sweeper thread and none of its parent's checks: start afresh.
    ref = weakref.ref(publisher)

    def reset():
        alive = ref()
        if alive is not None:
            alive.sweeping = False
            alive._checked = {}
    os.register_at_fork(after_in_child=reset)
