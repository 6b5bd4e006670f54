# The grid worker's follow-up notes, moved here from the workbench (workbench.0003) with their table: on an
# existing database the table workbench_gridfollowup and its rows stay as they are (db_table), on a fresh one
# workbench.0002 has just created it. So this only enters the model into the cases app's state.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_verbose_names_zh'),
        ('deputies', '0001_initial'),
        ('workbench', '0003_grid_follow_up_to_cases'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='GridFollowUp',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('text', models.TextField(max_length=2000, verbose_name='走访记录')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='记录时间')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='grid_follow_ups', to='cases.case', verbose_name='意见建议')),
                        ('grid_worker', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='follow_ups', to='deputies.gridworker', verbose_name='网格员')),
                    ],
                    options={
                        'verbose_name': '网格员走访记录',
                        'verbose_name_plural': '网格员走访记录',
                        'ordering': ['created_at', 'id'],
                        'db_table': 'workbench_gridfollowup',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
