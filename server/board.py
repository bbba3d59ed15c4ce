"""A version board in shared memory: every process on a host sees a store change at once.

The board is a small file of 64-bit counters in the instance folder, mapped into each worker's
memory. A store hashes to one slot; committing a change to the store increments its slot. Reading a
slot is a memory read, no system call, so the hot path can check "has this store changed?" on every
request for nearly nothing. Two stores that share a slot only cost each other an extra re-read.
"""
import fcntl
import mmap
import os
import struct
import zlib

SLOTS = 4096
SLOT = struct.Struct("<Q")


def slot_for(public_key):
    """The board slot a store key maps to."""
    return zlib.crc32(public_key.encode("utf-8")) % SLOTS


class VersionBoard:
    """Counters shared by every process that opens the same file."""

    def __init__(self, path):
        self.path = str(path)
        self._map = None
        self._fd = None
        self._pid = None

    def _ensure_mapped(self):
        # A map made before a fork (gunicorn preload) still works, but each process opens its own fd.
        if self._pid == os.getpid():
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.fstat(fd).st_size < SLOTS * SLOT.size:
                os.ftruncate(fd, SLOTS * SLOT.size)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
        self._map = mmap.mmap(fd, SLOTS * SLOT.size)
        self._fd, self._pid = fd, os.getpid()

    def read(self, slot):
        """The current counter of one slot."""
        if self._map is None:  # a map made before a fork stays shared in the child: no getpid() here
            self._ensure_mapped()
        return SLOT.unpack_from(self._map, slot * SLOT.size)[0]

    def bump(self, public_keys):
        """Increment the slots of these stores (call after the change is committed)."""
        self._ensure_mapped()
        slots = sorted({slot_for(key) for key in public_keys})
        if not slots:
            return
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            for slot in slots:
                offset = slot * SLOT.size
                SLOT.pack_into(self._map, offset, SLOT.unpack_from(self._map, offset)[0] + 1)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
