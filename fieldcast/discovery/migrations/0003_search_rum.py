"""The optional RUM index of search (discovery.rum): made when the database server has the
rum extension and this connection may create it; otherwise the migration says so and search
keeps to the GIN index (`manage.py search_rum` makes the index later)."""

from django.db import migrations


def create_rum_index(apps, schema_editor):
    from fieldcast.discovery import rum

    if schema_editor.connection.vendor != "postgresql":
        return
    made, message = rum.index_create(schema_editor.connection)
    if not made:
        print(f"\n  discovery: {message}")


def drop_rum_index(apps, schema_editor):
    from fieldcast.discovery import rum

    if schema_editor.connection.vendor == "postgresql":
        rum.index_drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("discovery", "0002_search_document"),
    ]

    operations = [
        migrations.RunPython(create_rum_index, drop_rum_index, elidable=True),
    ]
