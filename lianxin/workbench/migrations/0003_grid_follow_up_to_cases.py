# The grid worker's follow-up notes moved to the cases app (cases.GridFollowUp), which keeps this table as it is:
# the model leaves this app's state only, no row is copied and no table is renamed. cases.0008 takes it up.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_verbose_names_zh'),
        ('workbench', '0002_grid_follow_up'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='GridFollowUp')],
            database_operations=[],
        ),
    ]
