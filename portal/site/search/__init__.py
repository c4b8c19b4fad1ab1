"""Site-wide search over briefings, courses, resources and partnership pages: `text`, `index` (building), `query`
(parsing), `backends` (one class per database) and `results` (counting, checking and caching a page of results).
"""

from portal.site.search.index import (
    flush,
    index_briefings,
    index_courses,
    index_pages,
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
    "index_pages",
    "index_resources",
    "index_theme",
    "rebuild_index",
    "run_search",
    "schedule",
]
