"""Demo partnership pages (About us, Contact) from YAML: created or updated by slug, published."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal import yaml_loader
from portal.yaml_loader import DemoDataError

from .models import Page

KEYS = {"slug", "title", "summary", "body", "placement", "position", "link_text"}


def load_pages(path):
    """Create or update the pages in the YAML file at `path`; return them."""
    path = Path(path)
    listed = yaml_loader.load_list_file(path, "pages")
    pages = []
    with transaction.atomic():
        for index, raw in enumerate(listed, start=1):
            if not isinstance(raw, dict) or not raw.get("slug"):
                raise DemoDataError(f"{path}: page {index}: expected a mapping with a slug.")
            unknown = sorted(set(raw) - KEYS)
            if unknown:
                raise DemoDataError(f"{path}: page {raw['slug']}: unknown fields {', '.join(unknown)}.")
            page = Page.objects.filter(slug=raw["slug"]).first() or Page(slug=raw["slug"])
            before = [getattr(page, name) for name in sorted(KEYS)] + [page.status]
            for name in KEYS - {"slug"}:
                if name in raw:
                    setattr(page, name, raw[name] if isinstance(raw[name], int) else str(raw[name]).strip())
            page.publish(on=timezone.localdate())
            if page.pk is not None and before == [getattr(page, name) for name in sorted(KEYS)] + [page.status]:
                pages.append(page)  # loaded again unchanged: no new version in its history
                continue
            try:
                page.full_clean()
            except ValidationError as exc:
                problems = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items())
                raise DemoDataError(f"{path}: page {raw['slug']}: {problems}") from exc
            page.save()
            pages.append(page)
    return pages
