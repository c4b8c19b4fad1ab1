"""Site-wide search over briefings, courses and resources: the functions the rest of the site calls.

- `text`: text as the index holds it (`clean_text`, also used by the feeds).
- `index`: builds each SearchDocument row from its briefing, course or resource, and keeps the
  rows in step after each commit (`schedule`, `flush`, `rebuild_index`).
- `query`: reduces what a reader types to words, phrases, `or` and `-word`.
- `backends`: one class per database (SQLite FTS5, PostgreSQL) for matching, ranking by
  `settings.SEARCH_WEIGHTS`, and snippets.
- `results`: counts, one page of results checked against their sources, and the result cache.
"""

from portal.site.search.index import (
    flush,
    index_briefings,
    index_courses,
    index_resources,
    index_theme,
    rebuild_index,
    schedule,
)
from portal.site.search.results import PAGE_SIZE, run_search
from portal.site.search.text import clean_text

__all__ = [
    "PAGE_SIZE",
    "clean_text",
    "flush",
    "index_briefings",
    "index_courses",
    "index_resources",
    "index_theme",
    "rebuild_index",
    "run_search",
    "schedule",
]
