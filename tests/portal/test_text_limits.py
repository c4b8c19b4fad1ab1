"""Every text field editors fill has a length limit, enforced with a clear message in the admin and in import."""

import pytest
from django.apps import apps
from django.core.validators import MaxLengthValidator
from django.db import models

from briefings.importer import import_file
from briefings.models import Theme
from portal.markdown import MAX_MARKDOWN_LENGTH
from training.demo import DemoDataError, load_training
from training.models import Course

EDITED_APPS = ("briefings", "training")


def editor_text_fields():
    for model in apps.get_models():
        if model._meta.app_label in EDITED_APPS and not model.__name__.startswith("Historical"):
            for field in model._meta.get_fields():
                if isinstance(field, models.TextField) and field.editable:  # not HTML stored by a save
                    yield f"{model.__name__}.{field.name}", field
    settings = apps.get_model("portal", "SiteSettings")
    for name in ("emergency_line", "accessibility_statement"):
        yield f"SiteSettings.{name}", settings._meta.get_field(name)


@pytest.mark.parametrize(("name", "field"), list(editor_text_fields()), ids=lambda value: str(value))
def test_every_editor_text_field_has_a_limit_the_renderer_is_proven_against(name, field):
    limits = [v.limit_value for v in field.validators if isinstance(v, MaxLengthValidator)]
    assert limits, f"{name} has no length limit"
    assert max(limits) <= MAX_MARKDOWN_LENGTH


def test_a_long_thematic_review_section_fits():
    assert MAX_MARKDOWN_LENGTH >= 30_000


def test_the_admin_refuses_an_over_long_text_with_a_clear_message(staff_client):
    data = {"name": "Neglect", "slug": "neglect", "summary": "", "description": "Word " * 5_000}
    response = staff_client.post("/admin/briefings/theme/add/", data)
    assert response.status_code == 200
    assert "it can be at most 20000" in response.content.decode()
    assert "24999 characters long" in response.content.decode()
    assert not Theme.objects.exists()


@pytest.mark.django_db
def test_import_refuses_an_over_long_section_naming_it_and_writes_nothing():
    front = "---\ntitle: Long\nkind: audit_findings\nsummary: A long one.\n---\n\n"
    body = front + "## Findings\n\n" + "Neglect was seen. " * 3_000
    result = import_file("long.md", body.encode())
    assert result.error is not None
    assert "sections[1].body" in result.error and f"at most {MAX_MARKDOWN_LENGTH}" in result.error
    assert not apps.get_model("briefings", "Briefing").objects.exists()


@pytest.mark.django_db
def test_demo_training_file_refuses_an_over_long_description(tmp_path):
    path = tmp_path / "training.yaml"
    path.write_text(f"courses:\n  - slug: a\n    title: A\n    summary: S\n    description: {'x' * 20_001}\n")
    with pytest.raises(DemoDataError, match="at most 20000"):
        load_training(path)
    assert not Course.objects.exists()
