"""Courses get the shape briefings have: a status and a publication date instead of a yes/no flag.

A published course becomes status "published" dated the day it was created (never later than
today), so everything public before the upgrade is public after it; history rows move the same
way, so an old version restored keeps its publication.
"""

from django.db import migrations, models
from django.utils import timezone


def flag_to_status(apps, schema_editor):
    today = timezone.localdate()
    for name in ["Course", "HistoricalCourse"]:
        model = apps.get_model("training", name)
        for row in model.objects.filter(is_published=True).only("pk", "created_at").iterator():
            created = timezone.localdate(row.created_at) if row.created_at else today
            model.objects.filter(pk=row.pk).update(status="published", published=min(created, today))


def status_to_flag(apps, schema_editor):
    for name in ["Course", "HistoricalCourse"]:
        apps.get_model("training", name).objects.filter(status="published").update(is_published=True)


class Migration(migrations.Migration):
    dependencies = [
        # The search index's 0004 reads Course.is_published, which this migration removes.
        ("portal", "0004_searchdocument_public_from"),
        ("training", "0002_text_length_limits"),
    ]

    operations = [
        migrations.AddField(
            model_name="course",
            name="published",
            field=models.DateField(blank=True, help_text="Publication date. A draft may leave it empty.", null=True),
        ),
        migrations.AddField(
            model_name="course",
            name="status",
            field=models.CharField(
                choices=[("draft", "Draft"), ("published", "Published")], default="draft", max_length=16
            ),
        ),
        migrations.AddField(
            model_name="historicalcourse",
            name="published",
            field=models.DateField(blank=True, help_text="Publication date. A draft may leave it empty.", null=True),
        ),
        migrations.AddField(
            model_name="historicalcourse",
            name="status",
            field=models.CharField(
                choices=[("draft", "Draft"), ("published", "Published")], default="draft", max_length=16
            ),
        ),
        migrations.RunPython(flag_to_status, status_to_flag),
        migrations.RemoveField(model_name="course", name="is_published"),
        migrations.RemoveField(model_name="historicalcourse", name="is_published"),
        migrations.AddConstraint(
            model_name="course",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "published"), _negated=True) | models.Q(("published__isnull", False)),
                name="course_published_has_date",
            ),
        ),
    ]
