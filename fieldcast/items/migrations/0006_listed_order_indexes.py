from django.db import migrations, models


OCCURRED_INDEX = (
    "CREATE INDEX IF NOT EXISTS item_listed_occurred ON items_item "
    "(occurred_on DESC NULLS LAST, added_at DESC, id DESC) "
    "WHERE lifecycle = 'ready' AND visibility = 'public' AND moderation = 'ok'"
)


def occurred_index(apps, schema_editor):
    # SQLite cannot index NULLS LAST (and sorts by occurred-on date only small sets).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OCCURRED_INDEX)


def drop_occurred_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS item_listed_occurred")


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0005_map_pin"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="item",
            index=models.Index(
                models.OrderBy(models.F("vote_score"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("lifecycle", "ready"), ("moderation", "ok"), ("visibility", "public")),
                name="item_listed_votes",
            ),
        ),
        migrations.AddIndex(
            model_name="item",
            index=models.Index(
                models.OrderBy(models.F("comments_count"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("lifecycle", "ready"), ("moderation", "ok"), ("visibility", "public")),
                name="item_listed_comments",
            ),
        ),
        migrations.AddIndex(
            model_name="item",
            index=models.Index(
                models.OrderBy(models.F("plays_count"), descending=True),
                models.OrderBy(models.F("added_at"), descending=True),
                models.OrderBy(models.F("id"), descending=True),
                condition=models.Q(("lifecycle", "ready"), ("moderation", "ok"), ("visibility", "public")),
                name="item_listed_plays",
            ),
        ),
        migrations.RunPython(occurred_index, drop_occurred_index, elidable=False),
    ]
