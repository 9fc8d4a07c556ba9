from django.db import migrations, models


def first_row(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("stats", "Version").objects.create(id=1, number=0)


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_tally")]

    operations = [
        migrations.CreateModel(
            name="Version",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.BigIntegerField(default=0)),
            ],
            options={"db_table": "stats_version"},
        ),
        migrations.RunPython(first_row, migrations.RunPython.noop),
    ]
