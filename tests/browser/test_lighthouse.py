"""Lighthouse scores every public page type 100 for accessibility, at phone width and in high contrast on a desktop."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM
from tests.browser.pages import public_pages

TOOL = Path(__file__).resolve().parents[1] / "lighthouse"
RUNS = [
    {"name": "standard contrast, phone", "desktop": False},
    {"name": "high contrast, desktop", "desktop": True, "cookie": "contrast=high"},
]


@pytest.mark.django_db(transaction=True)
def test_lighthouse_accessibility_is_100_on_every_page_type(live_server, demo_content, tmp_path):
    assert (TOOL / "node_modules" / "lighthouse").is_dir(), "Lighthouse is not installed: `make lighthouse`"
    urls = [live_server.url + path for label, path in public_pages() if label != "not found"]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"urls": urls, "runs": RUNS}))
    done = subprocess.run(
        ["node", str(TOOL / "audit.mjs"), str(plan)],
        cwd=TOOL, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    assert len(results) == len(urls) * len(RUNS)
    below = [(r["run"], r["url"], r["score"], r["failing"], r["error"]) for r in results if r["score"] != 1]
    assert not below, below
