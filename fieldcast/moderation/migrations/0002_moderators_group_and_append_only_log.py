"""The "moderators" group with the `moderation.act` permission, and on PostgreSQL a
trigger that keeps the moderation log append-only."""

from django.db import migrations

APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION moderation_action_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'moderation_moderationaction is append-only: rows cannot be deleted';
    END IF;
    -- The one change allowed: a deleted item, comment, account or case leaves NULL behind.
    IF (to_jsonb(NEW) - ARRAY['item_id', 'comment_id', 'subject_id', 'moderator_id', 'case_id'])
        IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['item_id', 'comment_id', 'subject_id', 'moderator_id', 'case_id'])
       OR (NEW.item_id IS NOT NULL AND NEW.item_id IS DISTINCT FROM OLD.item_id)
       OR (NEW.comment_id IS NOT NULL AND NEW.comment_id IS DISTINCT FROM OLD.comment_id)
       OR (NEW.subject_id IS NOT NULL AND NEW.subject_id IS DISTINCT FROM OLD.subject_id)
       OR (NEW.moderator_id IS NOT NULL AND NEW.moderator_id IS DISTINCT FROM OLD.moderator_id)
       OR (NEW.case_id IS NOT NULL AND NEW.case_id IS DISTINCT FROM OLD.case_id) THEN
        RAISE EXCEPTION 'moderation_moderationaction is append-only: rows cannot be changed';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS moderation_action_append_only ON moderation_moderationaction;
CREATE TRIGGER moderation_action_append_only
    BEFORE UPDATE OR DELETE ON moderation_moderationaction
    FOR EACH ROW EXECUTE FUNCTION moderation_action_append_only();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS moderation_action_append_only ON moderation_moderationaction;
DROP FUNCTION IF EXISTS moderation_action_append_only();
"""


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY_SQL)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


def create_group(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations: make this app's now.
    app_config = apps.get_app_config("moderation")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="moderators")
    permission = Permission.objects.get(content_type__app_label="moderation", codename="act")
    group.permissions.add(permission)
    apps.get_model("moderation", "SiteModerationSettings").objects.get_or_create(pk=1)


def remove_permission(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="moderators"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="moderation", codename="act"))


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_reports_cases_audit_log_appeals_copyright"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_group, remove_permission),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
