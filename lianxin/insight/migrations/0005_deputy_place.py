"""The facts keep the case's deputy and place, and the slices hold the breakdowns by deputy and by place of the
counties, cities and provinces: a dashboard's 按代表 and 按家站室 read them instead of joining every case of the
period. An existing database's facts take their case's deputy and place here, and the slices are summed from them
(as the rebuild does; written out: a migration does not follow the code)."""

from django.db import migrations, models

MEASURES = (
    "received", "pending", "declined", "accepted", "resolved", "timed", "handling_days", "flagged", "online", "rated",
    "satisfied", "on_time",
)  # fmt: skip
NODES = ("province_id", "city_id", "county_id")


def fill(apps, schema_editor):
    ops = schema_editor.connection.ops
    for column in ("deputy_id", "place_id"):
        schema_editor.execute(
            f"UPDATE insight_casefact SET {column} = COALESCE((SELECT c.{column} FROM cases_case c "
            "WHERE c.id = insight_casefact.case_id), 0)"
        )
    measures = ", ".join(MEASURES)
    sums = ", ".join(f"SUM({name})" for name in MEASURES)
    for dim, column in (("deputy", "deputy_id"), ("place", "place_id")):
        key = f"CASE WHEN {column} = 0 THEN '' ELSE CAST({column} AS VARCHAR(20)) END"
        for node in NODES:
            schema_editor.execute(
                f"INSERT INTO insight_periodslice (month, span, node_id, dim, key, {measures}) "
                f"SELECT month, 1, {node}, %s, {key}, {sums} FROM insight_casefact WHERE {node} <> 0 GROUP BY 1, 3, 5",
                [dim],
            )
        for span, unit in ((3, "quarter"), (12, "year")):
            start, params = ops.date_trunc_sql(unit, "month", ())
            schema_editor.execute(
                f"INSERT INTO insight_periodslice (month, span, node_id, dim, key, {measures}) "
                f"SELECT {start}, {span}, node_id, dim, key, {sums} FROM insight_periodslice "
                "WHERE span = 1 AND dim = %s GROUP BY 1, 3, 4, 5",
                [*params, dim],
            )


def unfill(apps, schema_editor):
    schema_editor.execute("DELETE FROM insight_periodslice WHERE dim IN ('deputy', 'place')")


class Migration(migrations.Migration):
    dependencies = [("insight", "0004_period_slices"), ("cases", "0010_waiting_index")]

    operations = [
        migrations.AddField(
            model_name="casefact",
            name="deputy_id",
            field=models.IntegerField(default=0, verbose_name="接待代表"),
        ),
        migrations.AddField(
            model_name="casefact",
            name="place_id",
            field=models.IntegerField(default=0, verbose_name="接待家站室"),
        ),
        migrations.AlterField(
            model_name="periodslice",
            name="dim",
            field=models.CharField(
                choices=[
                    ("all", "合计"),
                    ("category", "类别"),
                    ("unit", "承办单位"),
                    ("channel", "渠道"),
                    ("child", "下级区划"),
                    ("deputy", "接待代表"),
                    ("place", "接待家站室"),
                ],
                max_length=10,
                verbose_name="维度",
            ),
        ),
        migrations.RunPython(fill, unfill),
    ]
