import datetime

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

# Kept here (not imported from portal.site.search) so this migration always does what it did the day
# it was written: published courses and stand-alone resources are public whatever the date; a
# briefing and its resources from the briefing's publication date once it is published.
ALWAYS = datetime.date(1, 1, 1)


def fill_public_from(apps, schema_editor):
    SearchDocument = apps.get_model("portal", "SearchDocument")
    Briefing = apps.get_model("briefings", "Briefing")
    rows = SearchDocument.objects.using(schema_editor.connection.alias)
    published = Briefing.objects.filter(pk=OuterRef("briefing_id"), status="published").values("published")[:1]
    rows.filter(briefing__isnull=False).update(public_from=Subquery(published))
    rows.filter(type="resource", briefing__isnull=True).update(public_from=ALWAYS)
    rows.filter(type="course", course__is_published=True).update(public_from=ALWAYS)


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0002_initial"),
        ("portal", "0003_searchdocument"),
        ("training", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="public_from",
            field=models.DateField(
                blank=True, help_text="The day from which the public may find it; empty if it is not public.", null=True
            ),
        ),
        migrations.RunPython(fill_public_from, migrations.RunPython.noop, elidable=True),
    ]
