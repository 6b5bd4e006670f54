"""The facts keep the case's deputy and place, and the slices hold the breakdowns by deputy and by place of the
counties, cities and provinces; townships get slices of their own (their totals, villages, deputies and places)
and daily totals: a dashboard reads them instead of joining every case of the period or fetching a township's
facts one by one. An existing database's facts take their case's deputy and place here, and the new slices and
daily totals are summed from them (as the rebuild does; written out: a migration does not follow the code)."""

from django.db import migrations, models

MEASURES = (
    "received", "pending", "declined", "accepted", "resolved", "timed", "handling_days", "flagged", "online", "rated",
    "satisfied", "on_time",
)  # fmt: skip
NODES = ("province_id", "city_id", "county_id")


def fill(apps, schema_editor):
    ops = schema_editor.connection.ops
    # Only the facts of cases that came through a deputy or a place change (a join, not a lookup per fact).
    schema_editor.execute(
        "UPDATE insight_casefact AS f SET deputy_id = COALESCE(c.deputy_id, 0), place_id = COALESCE(c.place_id, 0) "
        "FROM cases_case AS c WHERE c.id = f.case_id AND (c.deputy_id IS NOT NULL OR c.place_id IS NOT NULL)"
    )
    measures = ", ".join(MEASURES)
    sums = ", ".join(f"SUM({name})" for name in MEASURES)

    def key(column):
        return f"CASE WHEN {column} = 0 THEN '' ELSE CAST({column} AS VARCHAR(20)) END"

    village = "(CASE WHEN region_id = township_id THEN 0 ELSE region_id END)"
    new = [(node, dim, key(column)) for node in NODES for dim, column in (("deputy", "deputy_id"), ("place", "place_id"))]
    new += [("township_id", "all", "''"), ("township_id", "child", key(village))]
    new += [("township_id", "deputy", key("deputy_id")), ("township_id", "place", key("place_id"))]
    for node, dim, expression in new:
        schema_editor.execute(
            f"INSERT INTO insight_periodslice (month, span, node_id, dim, key, {measures}) "
            f"SELECT month, 1, {node}, %s, {expression}, {sums} FROM insight_casefact WHERE {node} <> 0 "
            "GROUP BY 1, 3, 5",
            [dim],
        )
    for span, unit in ((3, "quarter"), (12, "year")):
        start, params = ops.date_trunc_sql(unit, "month", ())
        schema_editor.execute(
            f"INSERT INTO insight_periodslice (month, span, node_id, dim, key, {measures}) "
            f"SELECT {start}, {span}, s.node_id, s.dim, s.key, {sums} FROM insight_periodslice s "
            "WHERE s.span = 1 AND (s.dim IN ('deputy', 'place') OR s.node_id IN "
            "(SELECT DISTINCT township_id FROM insight_casefact)) GROUP BY 1, 3, 4, 5",
            params,
        )
    schema_editor.execute(
        f"INSERT INTO insight_dailytotal (node_id, day, {measures}) "
        f"SELECT township_id, day, {sums} FROM insight_casefact WHERE township_id <> 0 GROUP BY 1, 2"
    )


def unfill(apps, schema_editor):
    townships = "SELECT DISTINCT township_id FROM insight_casefact"
    schema_editor.execute(f"DELETE FROM insight_periodslice WHERE dim IN ('deputy', 'place') OR node_id IN ({townships})")
    schema_editor.execute(f"DELETE FROM insight_dailytotal WHERE node_id IN ({townships})")


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
