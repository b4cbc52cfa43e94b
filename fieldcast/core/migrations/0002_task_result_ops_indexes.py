"""Two small partial indexes on django-tasks-db's result table for the operators' reads
(core/ops.py: /metrics, /readyz's neighbours, fieldcast_status): the running tasks, and the
failed ones by when they finished. Without them both reads scan every result kept
(~100 ms at 500,000 rows on PostgreSQL); each index holds only the rows it is about.
Raw SQL because the table is the third-party app's: its model state is left alone."""

from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_cache_table"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]
    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS fc_task_running_idx ON {TABLE} (queue_name, started_at) "
            "WHERE status = 'RUNNING'",
            "DROP INDEX IF EXISTS fc_task_running_idx",
        ),
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS fc_task_failed_idx ON {TABLE} (finished_at) WHERE status = 'FAILED'",
            "DROP INDEX IF EXISTS fc_task_failed_idx",
        ),
    ]
