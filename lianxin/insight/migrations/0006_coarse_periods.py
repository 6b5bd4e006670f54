"""The coarse cubes hold calendar quarters and years beside the months (span, as the slices since 0004): a
province's year filtered by a channel reads each unit's year, not its twelve months. Their existing rows are the
months; the quarters' and years' are summed from them here (written out: a migration does not follow the code)."""

from django.db import migrations, models

MEASURES = (
    "received", "pending", "declined", "accepted", "resolved", "timed", "handling_days", "flagged", "online", "rated",
    "satisfied", "on_time",
)  # fmt: skip
CHAIN = ("province_id", "city_id", "county_id", "township_id")
CUBES = {
    "insight_countycube": (*CHAIN, "category_id", "channel"),
    "insight_unitcategorycube": (*CHAIN, "unit_id", "category_id"),
    "insight_unitchannelcube": (*CHAIN, "unit_id", "channel"),
}


def periods_from_months(apps, schema_editor):
    ops = schema_editor.connection.ops
    sums = ", ".join(f"SUM({name})" for name in MEASURES)
    for table, keys in CUBES.items():
        columns = ", ".join(("month", "span", *keys, *MEASURES))
        group = ", ".join(str(position) for position in (1, *range(3, len(keys) + 3)))
        for span, unit in ((3, "quarter"), (12, "year")):
            start, params = ops.date_trunc_sql(unit, "month", ())
            schema_editor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {start}, {span}, {', '.join(keys)}, {sums} FROM {table} "
                f"WHERE span = 1 GROUP BY {group}",
                params,
            )


def months_only(apps, schema_editor):
    for table in CUBES:
        schema_editor.execute(f"DELETE FROM {table} WHERE span <> 1")


class Migration(migrations.Migration):
    dependencies = [
        ("insight", "0005_deputy_place"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="countycube",
            name="insight_cc_key",
        ),
        migrations.RemoveConstraint(
            model_name="unitcategorycube",
            name="insight_ucat_key",
        ),
        migrations.RemoveConstraint(
            model_name="unitchannelcube",
            name="insight_uchn_key",
        ),
        migrations.RemoveIndex(
            model_name="countycube",
            name="insight_cc_province_month",
        ),
        migrations.RemoveIndex(
            model_name="countycube",
            name="insight_cc_city_month",
        ),
        migrations.RemoveIndex(
            model_name="countycube",
            name="insight_cc_county_month",
        ),
        migrations.RemoveIndex(
            model_name="countycube",
            name="insight_cc_category_month",
        ),
        migrations.RemoveIndex(
            model_name="countycube",
            name="insight_cc_channel_month",
        ),
        migrations.RemoveIndex(
            model_name="unitcategorycube",
            name="insight_ucat_province_month",
        ),
        migrations.RemoveIndex(
            model_name="unitcategorycube",
            name="insight_ucat_city_month",
        ),
        migrations.RemoveIndex(
            model_name="unitcategorycube",
            name="insight_ucat_county_month",
        ),
        migrations.RemoveIndex(
            model_name="unitcategorycube",
            name="insight_ucat_unit_month",
        ),
        migrations.RemoveIndex(
            model_name="unitcategorycube",
            name="insight_ucat_category_month",
        ),
        migrations.RemoveIndex(
            model_name="unitchannelcube",
            name="insight_uchn_province_month",
        ),
        migrations.RemoveIndex(
            model_name="unitchannelcube",
            name="insight_uchn_city_month",
        ),
        migrations.RemoveIndex(
            model_name="unitchannelcube",
            name="insight_uchn_county_month",
        ),
        migrations.RemoveIndex(
            model_name="unitchannelcube",
            name="insight_uchn_unit_month",
        ),
        migrations.RemoveIndex(
            model_name="unitchannelcube",
            name="insight_uchn_channel_month",
        ),
        migrations.AddField(
            model_name="countycube",
            name="span",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "月"), (3, "季度"), (12, "年")], default=1, verbose_name="跨度"
            ),
        ),
        migrations.AddField(
            model_name="unitcategorycube",
            name="span",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "月"), (3, "季度"), (12, "年")], default=1, verbose_name="跨度"
            ),
        ),
        migrations.AddField(
            model_name="unitchannelcube",
            name="span",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "月"), (3, "季度"), (12, "年")], default=1, verbose_name="跨度"
            ),
        ),
        migrations.AlterField(
            model_name="countycube",
            name="month",
            field=models.DateField(verbose_name="起始月份"),
        ),
        migrations.AlterField(
            model_name="unitcategorycube",
            name="month",
            field=models.DateField(verbose_name="起始月份"),
        ),
        migrations.AlterField(
            model_name="unitchannelcube",
            name="month",
            field=models.DateField(verbose_name="起始月份"),
        ),
        migrations.AddIndex(
            model_name="countycube",
            index=models.Index(fields=["province_id", "span", "month"], name="insight_cc_province_period"),
        ),
        migrations.AddIndex(
            model_name="countycube",
            index=models.Index(fields=["city_id", "span", "month"], name="insight_cc_city_period"),
        ),
        migrations.AddIndex(
            model_name="countycube",
            index=models.Index(fields=["county_id", "span", "month"], name="insight_cc_county_period"),
        ),
        migrations.AddIndex(
            model_name="countycube",
            index=models.Index(fields=["category_id", "span", "month"], name="insight_cc_category_period"),
        ),
        migrations.AddIndex(
            model_name="countycube",
            index=models.Index(fields=["channel", "span", "month"], name="insight_cc_channel_period"),
        ),
        migrations.AddIndex(
            model_name="unitcategorycube",
            index=models.Index(fields=["province_id", "span", "month"], name="insight_ucat_province_period"),
        ),
        migrations.AddIndex(
            model_name="unitcategorycube",
            index=models.Index(fields=["city_id", "span", "month"], name="insight_ucat_city_period"),
        ),
        migrations.AddIndex(
            model_name="unitcategorycube",
            index=models.Index(fields=["county_id", "span", "month"], name="insight_ucat_county_period"),
        ),
        migrations.AddIndex(
            model_name="unitcategorycube",
            index=models.Index(fields=["unit_id", "span", "month"], name="insight_ucat_unit_period"),
        ),
        migrations.AddIndex(
            model_name="unitcategorycube",
            index=models.Index(fields=["category_id", "span", "month"], name="insight_ucat_category_period"),
        ),
        migrations.AddIndex(
            model_name="unitchannelcube",
            index=models.Index(fields=["province_id", "span", "month"], name="insight_uchn_province_period"),
        ),
        migrations.AddIndex(
            model_name="unitchannelcube",
            index=models.Index(fields=["city_id", "span", "month"], name="insight_uchn_city_period"),
        ),
        migrations.AddIndex(
            model_name="unitchannelcube",
            index=models.Index(fields=["county_id", "span", "month"], name="insight_uchn_county_period"),
        ),
        migrations.AddIndex(
            model_name="unitchannelcube",
            index=models.Index(fields=["unit_id", "span", "month"], name="insight_uchn_unit_period"),
        ),
        migrations.AddIndex(
            model_name="unitchannelcube",
            index=models.Index(fields=["channel", "span", "month"], name="insight_uchn_channel_period"),
        ),
        migrations.AddConstraint(
            model_name="countycube",
            constraint=models.UniqueConstraint(
                fields=(
                    "month",
                    "span",
                    "province_id",
                    "city_id",
                    "county_id",
                    "township_id",
                    "category_id",
                    "channel",
                ),
                name="insight_cc_key",
            ),
        ),
        migrations.AddConstraint(
            model_name="unitcategorycube",
            constraint=models.UniqueConstraint(
                fields=(
                    "month",
                    "span",
                    "province_id",
                    "city_id",
                    "county_id",
                    "township_id",
                    "unit_id",
                    "category_id",
                ),
                name="insight_ucat_key",
            ),
        ),
        migrations.AddConstraint(
            model_name="unitchannelcube",
            constraint=models.UniqueConstraint(
                fields=("month", "span", "province_id", "city_id", "county_id", "township_id", "unit_id", "channel"),
                name="insight_uchn_key",
            ),
        ),
        migrations.RunPython(periods_from_months, months_only),
    ]
