"""Starter layouts per kind (editable by publishers), and one field for a section's place: its order.

A section had both a position and an optional number. The number a 7-minute briefing's panel shows
now follows from the order, so each 7-minute briefing's numbered sections are sorted by their number
into the places numbered sections held (unnumbered ones stay put) and positions become 1, 2, 3...;
on other kinds, where numbers are no longer shown apart, a section's number is kept at the start of
its heading ("3. Heading"), as readers saw it.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

SEVEN_MINUTE = "seven_minute_briefing"
STARTERS = {
    SEVEN_MINUTE: [
        "What this briefing is about",
        "Why it matters",
        "What we found",
        "What it means for practice",
        "What good looks like",
        "Where to find out more",
        "Questions to consider",
    ],
    "thematic_review": [
        "Learning journey",
        "Good practice",
        "What else we found",
        "What we learned",
        "Recommendations",
        "What you can do",
    ],
    "audit_findings": ["Good practice", "Key learning", "Improving practice", "Next steps"],
}


def seed_starter_layouts(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    StarterLayout = apps.get_model("briefings", "StarterLayout")
    StarterSection = apps.get_model("briefings", "StarterSection")
    for kind, headings in STARTERS.items():
        layout, created = StarterLayout.objects.get_or_create(kind=kind)
        if created:
            StarterSection.objects.bulk_create(
                StarterSection(layout=layout, position=n, heading=heading) for n, heading in enumerate(headings, 1)
            )
    # Permissions are normally made after migrate; make them now so the groups can hold them.
    app_config = apps.get_app_config("briefings")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(actions):
        names = [f"{action}_{model}" for action in actions for model in ("starterlayout", "startersection")]
        return Permission.objects.filter(content_type__app_label="briefings", codename__in=names)

    for group in Group.objects.filter(name="Editor"):
        group.permissions.add(*perms(["view"]))
    for group in Group.objects.filter(name="Publisher"):
        group.permissions.add(*perms(["add", "change", "delete", "view"]))


def numbers_into_order(apps, schema_editor):
    Briefing = apps.get_model("briefings", "Briefing")
    Section = apps.get_model("briefings", "Section")
    for briefing in Briefing.objects.only("pk", "kind").iterator():
        sections = list(Section.objects.filter(briefing=briefing).order_by("position", "pk"))
        if briefing.kind == SEVEN_MINUTE:
            slots = [index for index, section in enumerate(sections) if section.number]
            numbered = sorted((sections[index] for index in slots), key=lambda section: section.number)
            for slot, section in zip(slots, numbered, strict=True):
                sections[slot] = section
        for position, section in enumerate(sections, start=1):
            fields = ["position"]
            if briefing.kind != SEVEN_MINUTE and section.number:
                section.heading = f"{section.number}. {section.heading}"[:200]
                fields.append("heading")
            if section.position != position or len(fields) > 1:
                section.position = position
                # update(), not save(): no history row or index signal for a change readers do not see.
                Section.objects.filter(pk=section.pk).update(**{name: getattr(section, name) for name in fields})


def numbers_from_order(apps, schema_editor):
    Section = apps.get_model("briefings", "Section")
    for section in Section.objects.filter(briefing__kind=SEVEN_MINUTE).order_by("briefing", "position", "pk"):
        Section.objects.filter(pk=section.pk).update(number=section.position)


class Migration(migrations.Migration):
    dependencies = [
        ("briefings", "0008_import_batch"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="StarterLayout",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("thematic_review", "Thematic review"),
                            ("seven_minute_briefing", "7-minute briefing"),
                            ("audit_findings", "Audit findings"),
                        ],
                        max_length=32,
                        unique=True,
                    ),
                ),
            ],
            options={
                "ordering": ["kind"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalStarterLayout",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("thematic_review", "Thematic review"),
                            ("seven_minute_briefing", "7-minute briefing"),
                            ("audit_findings", "Audit findings"),
                        ],
                        db_index=True,
                        max_length=32,
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical starter layout",
                "verbose_name_plural": "historical starter layouts",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="StarterSection",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveIntegerField(default=0)),
                (
                    "heading",
                    models.CharField(
                        help_text="Shown to readers unless the editor changes it: say what the section is for.",
                        max_length=200,
                    ),
                ),
                (
                    "layout",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sections",
                        to="briefings.starterlayout",
                    ),
                ),
            ],
            options={
                "verbose_name": "starting section",
                "ordering": ["position", "pk"],
            },
        ),
        migrations.RunPython(seed_starter_layouts, migrations.RunPython.noop),
        migrations.RunPython(numbers_into_order, numbers_from_order),
        migrations.RemoveField(
            model_name="historicalsection",
            name="number",
        ),
        migrations.RemoveField(
            model_name="section",
            name="number",
        ),
    ]
