from django.db import migrations


def create_checkpoint_tables(apps, schema_editor):
    # Imported here: the checkpointer reads the live connection settings (the test database's
    # name under pytest), which are only final once migrations run.
    from coach.graph.checkpointer import checkpointer_setup

    checkpointer_setup()


class Migration(migrations.Migration):
    # The Postgres saver creates indexes CONCURRENTLY, which cannot run inside a transaction.
    atomic = False

    dependencies = [("coach", "0001_initial")]

    operations = [migrations.RunPython(create_checkpoint_tables, migrations.RunPython.noop)]
