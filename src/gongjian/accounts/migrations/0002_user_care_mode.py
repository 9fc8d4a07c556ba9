from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="care_mode",
            field=models.BooleanField(default=False, verbose_name="care mode"),
        ),
    ]
