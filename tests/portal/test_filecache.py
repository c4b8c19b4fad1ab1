"""The file cache (portal.filecache): Django's file backend without zlib, for the page cache's hits."""

import os
import pickle

import pytest
from django.core.cache.backends.filebased import FileBasedCache

from portal.filecache import FileCache


@pytest.fixture
def cache(tmp_path):
    return FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 100}})


def only_file(cache):
    (name,) = os.listdir(cache._dir)
    return os.path.join(cache._dir, name)


def test_keeps_values_as_plain_pickles(cache):
    page = {"parts": [b"<!doctype html>" * 100], "headers": {"Content-Type": "text/html"}}
    cache.set("page", page, 60)
    assert cache.get("page") == page
    with open(only_file(cache), "rb") as f:
        pickle.load(f)  # the expiry
        assert pickle.load(f) == page  # not zlib-compressed


def test_expired_entries_are_misses_and_removed(cache):
    cache.set("page", "old", 60)
    with open(only_file(cache), "r+b") as f:
        pickle.load(f)
        rest = f.read()
        f.seek(0)
        f.write(pickle.dumps(1.0) + rest)  # expired in 1970
    assert cache.get("page", "missing") == "missing"
    assert os.listdir(cache._dir) == []


def test_incr_add_and_touch(cache):
    assert cache.add("generation", 7, None)
    assert not cache.add("generation", 9, None)
    assert cache.incr("generation") == 8
    cache.set("page", "kept", 1)
    assert cache.touch("page", None)
    assert cache.get("page") == "kept"
    with open(cache._key_to_file("page"), "rb") as f:
        assert pickle.load(f) is None  # kept for ever now
    assert not cache.touch("absent", 60)


def test_a_cut_short_file_is_a_miss_and_is_removed(cache):
    cache.set("page", {"parts": [b"x" * 5000]}, 60)
    path = only_file(cache)
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) // 2)
    assert cache.get("page") is None
    assert not os.path.exists(path)
    cache.set("page", "again", 60)
    assert cache.get("page") == "again"


def test_files_of_djangos_own_backend_are_never_read(tmp_path):
    FileBasedCache(str(tmp_path), {}).set("page", "compressed by zlib", 60)
    cache = FileCache(str(tmp_path), {})
    assert cache.get("page") is None
    cache.set("page", "plain", 60)
    assert cache.get("page") == "plain"
    assert sorted(name.rsplit(".", 1)[1] for name in os.listdir(tmp_path)) == ["cache", "djcache"]
