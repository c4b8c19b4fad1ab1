"""A session's places become two fields: "places in total" (what `places` held) and "places left".

`places` was shown as "Places: 20" but a 0 meant "full": a session with 0 keeps being full as
"0 places left" (and no total); any other number is kept as the total, with places left unknown,
so the course page still shows it ("20 in total") until staff enter how many are left.
"""

from django.db import migrations, models

LEFT_HELP = "How many can still book; the course page shows “N places left”, and 0 shows the session as full."


def zero_places_means_none_left(apps, schema_editor):
    Session = apps.get_model("training", "Session")
    Session.objects.filter(places_total=0).update(places_left=0, places_total=None)


def back_to_one_field(apps, schema_editor):
    Session = apps.get_model("training", "Session")
    Session.objects.filter(places_left=0, places_total__isnull=True).update(places_total=0)


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0004_stored_markdown_html"),
    ]

    operations = [
        migrations.RenameField(model_name="session", old_name="places", new_name="places_total"),
        migrations.RenameField(model_name="historicalsession", old_name="places", new_name="places_total"),
        migrations.AlterField(
            model_name="session",
            name="places_total",
            field=models.PositiveIntegerField(
                blank=True, help_text="How many people the session can take.", null=True, verbose_name="places in total"
            ),
        ),
        migrations.AlterField(
            model_name="historicalsession",
            name="places_total",
            field=models.PositiveIntegerField(
                blank=True, help_text="How many people the session can take.", null=True, verbose_name="places in total"
            ),
        ),
        migrations.AddField(
            model_name="session",
            name="places_left",
            field=models.PositiveIntegerField(blank=True, help_text=LEFT_HELP, null=True, verbose_name="places left"),
        ),
        migrations.AddField(
            model_name="historicalsession",
            name="places_left",
            field=models.PositiveIntegerField(blank=True, help_text=LEFT_HELP, null=True, verbose_name="places left"),
        ),
        migrations.RunPython(zero_places_means_none_left, back_to_one_field),
        migrations.AddConstraint(
            model_name="session",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("places_left__isnull", True),
                    ("places_total__isnull", True),
                    ("places_left__lte", models.F("places_total")),
                    _connector="OR",
                ),
                name="session_places_left_within_total",
            ),
        ),
    ]
