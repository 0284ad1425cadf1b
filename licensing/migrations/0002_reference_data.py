"""Load the reference data: controlled items, authorities, country groups and their history,
calendar closures, document types and regime rules (see licensing/reference_data.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from licensing import reference_data

    reference_data.load(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("licensing", "0001_initial"),
        ("materials", "0001_initial"),
        ("whitelist", "0001_initial"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
