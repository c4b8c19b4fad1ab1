"""Django's file cache without its zlib step: a page-cache hit was spending a third of its time decompressing.

What is stored here is mostly already compact or compressed (pages kept with their brotli and gzip
copies, PDFs), so the disk saved was small. Files of Django's own backend (".djcache") are never read.
"""

import pickle

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
        file.write(pickle.dumps(self.get_backend_timeout(timeout), self.pickle_protocol))
        file.write(pickle.dumps(value, self.pickle_protocol))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            with open(self._key_to_file(key, version), "r+b") as f:
                try:
                    locks.lock(f, locks.LOCK_EX)
                    if self._is_expired(f):
                        return False
                    value = pickle.load(f)  # noqa: S301
                    f.seek(0)
                    f.truncate()
                    self._write_content(f, timeout, value)
                    return True
                finally:
                    locks.unlock(f)
        except FileNotFoundError:
            return False
