"""Django's file cache without its zlib step: a page-cache hit was spending a third of its time decompressing.

What is stored here is mostly already compact or compressed (pages kept with their brotli and gzip
copies, PDFs), so the disk saved was small. Files of Django's own backend (".djcache") are never read.
Its incr() is replaced: Django's reads, adds and sets again with the default timeout, so a counter
kept for ever (the page cache's generation) or for a day (a rate limit) expired five minutes after
its last increment, and two workers incrementing at once could both write the same number. So is
touch(), which rewrote the file in place, where a reader could find it half written and remove it.
Culling (past MAX_ENTRIES) spares entries kept for ever, as Redis's volatile-lru does: losing the
generation made every cached page and stored related section out of date at once.
"""

import os
import pickle
import random
import tempfile
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks


class FileCache(FileBasedCache):
    cache_suffix = ".cache"

    def get(self, key, default=None, version=None):
        fname = self._key_to_file(key, version)
        try:
            with open(fname, "rb") as f:
                if not self._is_expired(f):
                    return pickle.load(f)  # noqa: S301 - the site's own folder, as in Django's backend
        except FileNotFoundError:
            pass
        except (pickle.UnpicklingError, EOFError, ValueError):
            self._delete(fname)  # cut short (a full disk): a miss, and made again
        return default

    def _write_content(self, file, timeout, value):
        self._write_entry(file, self.get_backend_timeout(timeout), value)

    def _write_entry(self, file, expiry, value):
        file.write(pickle.dumps(expiry, self.pickle_protocol))
        file.write(pickle.dumps(value, self.pickle_protocol))

    def _cull(self):
        filelist = self._list_cache_files()
        if len(filelist) < self._max_entries:
            return
        if self._cull_frequency == 0:
            self.clear()
            return
        for fname in random.sample(filelist, len(filelist) // self._cull_frequency):
            if not self._kept_for_ever(fname):
                self._delete(fname)

    @staticmethod
    def _kept_for_ever(fname):
        try:
            with open(fname, "rb") as f:
                return pickle.load(f) is None  # noqa: S301
        except (OSError, pickle.UnpicklingError, EOFError, ValueError):
            return False

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        expiry = self.get_backend_timeout(timeout)
        return self._rewrite(key, version, lambda _expiry, value: (expiry, value)) is not None

    def incr(self, key, delta=1, version=None):
        """Add `delta` to a stored number, keeping its expiry; one worker at a time (ValueError if absent)."""

        def add(expiry, value):
            if value is None:  # what Django's incr() takes for an absent key
                raise ValueError(f"Key '{key}' not found")
            return expiry, value + delta

        stored = self._rewrite(key, version, add)
        if stored is None:
            raise ValueError(f"Key '{key}' not found")
        return stored[1]

    def _rewrite(self, key, version, change):
        """Store change(expiry, value) in place of a live entry, one worker at a time: the new pair, or None.

        The new file is moved into place, as set() does, so a reader never sees one half written.
        """
        fname = self._key_to_file(key, version)
        while True:
            try:
                with open(fname, "rb") as f:
                    locks.lock(f, locks.LOCK_EX)
                    try:
                        if self._in_place(f, fname):
                            return self._replace(f, fname, change)
                    finally:
                        locks.unlock(f)
            except FileNotFoundError:
                return None
            # Another worker replaced or removed the file while this one waited for the lock: open it again.

    @staticmethod
    def _in_place(f, fname):
        try:
            return os.path.samestat(os.fstat(f.fileno()), os.stat(fname))
        except FileNotFoundError:
            return False

    def _replace(self, f, fname, change):
        try:
            expiry = pickle.load(f)  # noqa: S301
            value = pickle.load(f)  # noqa: S301
        except (pickle.UnpicklingError, EOFError, ValueError):
            return None
        if expiry is not None and expiry < time.time():
            return None
        expiry, value = change(expiry, value)
        fd, tmp_path = tempfile.mkstemp(dir=self._dir)
        try:
            with open(fd, "wb") as tmp:
                self._write_entry(tmp, expiry, value)
            os.replace(tmp_path, fname)
        except BaseException:
            if os.path.exists(tmp_path):
                os.remove(tmp_path)
            raise
        return expiry, value
