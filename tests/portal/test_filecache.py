"""The file cache (portal.filecache): Django's file backend without zlib, for the page cache's hits."""

import multiprocessing
import os
import pickle
import time

import pytest
from django.core.cache.backends.filebased import FileBasedCache
from django.test import override_settings

from portal import cache as page_cache
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


def test_touch_moves_a_new_file_into_place_so_no_reader_sees_half_of_one(cache):
    cache.set("page", "kept", 60)
    before = os.stat(cache._key_to_file("page"))
    assert cache.touch("page", 600)
    after = os.stat(cache._key_to_file("page"))
    assert not os.path.samestat(before, after)  # rewritten in place, a reader could read it cut short
    assert cache.get("page") == "kept"
    assert stored_expiry(cache, "page") > time.time() + 500
    assert os.listdir(cache._dir) == [os.path.basename(cache._key_to_file("page"))]


def test_culling_spares_entries_kept_for_ever(tmp_path):
    # Django's culling removes a random share of all entries, the content generation among them.
    cache = FileCache(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 5, "CULL_FREQUENCY": 1}})
    cache.add("generation", 7, None)
    for n in range(12):
        cache.set(f"page{n}", n, 60)
    assert cache.get("generation") == 7
    assert len(os.listdir(tmp_path)) <= 5  # the pages were culled
    assert cache.get("page11") == 11


def stored_expiry(cache, key):
    with open(cache._key_to_file(key), "rb") as f:
        return pickle.load(f)


def test_incr_keeps_the_expiry_it_was_stored_with(cache):
    # Django's backend set it again with the default timeout: a counter kept for ever lasted 5 minutes.
    cache.set("kept", 1, None)
    cache.set("day", 1, 86400)
    day_ends = stored_expiry(cache, "day")
    assert cache.incr("kept") == 2
    assert cache.incr("day", 4) == 5
    assert cache.decr("day") == 4
    assert stored_expiry(cache, "kept") is None
    assert stored_expiry(cache, "day") == day_ends
    assert cache.get("kept") == 2


def test_incr_of_an_absent_or_expired_key_raises_as_djangos_does(cache):
    with pytest.raises(ValueError, match="absent"):
        cache.incr("absent")
    cache.set("gone", 3, 60)
    with open(cache._key_to_file("gone"), "r+b") as f:
        pickle.load(f)
        rest = f.read()
        f.seek(0)
        f.write(pickle.dumps(time.time() - 1) + rest)
    with pytest.raises(ValueError, match="gone"):
        cache.incr("gone")
    assert not [name for name in os.listdir(cache._dir) if not name.endswith(".cache")]  # no temporary file left


def _count(directory, times, start):
    start.wait()
    counter = FileCache(directory, {})
    for _ in range(times):
        counter.incr("count")


def test_workers_incrementing_at_once_lose_no_increment(tmp_path):
    cache = FileCache(str(tmp_path), {})
    cache.set("count", 0, None)
    context = multiprocessing.get_context("fork")
    start = context.Event()
    workers = [context.Process(target=_count, args=(str(tmp_path), 100, start)) for _ in range(4)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join()
    assert [worker.exitcode for worker in workers] == [0] * 4
    assert cache.get("count") == 400
    assert stored_expiry(cache, "count") is None


@pytest.mark.django_db
def test_the_page_cache_generation_outlives_the_default_timeout_after_a_change(tmp_path):
    # It vanished five minutes after the last change: every page then chose its related briefings itself.
    caches = {
        "default": {"BACKEND": "portal.filecache.FileCache", "LOCATION": str(tmp_path)},
        "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "filecache-test"},
    }
    with override_settings(CACHES=caches):
        first = page_cache.generation()
        page_cache.invalidate()
        assert page_cache.generation() == first + 1
        assert stored_expiry(page_cache.page_cache(), page_cache.GENERATION_KEY) is None
