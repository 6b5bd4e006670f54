"""The slices hold quarters and years beside the months (PeriodSlice.span): a province's year by unit reads one row
a unit instead of twelve. The existing rows are the months (span 1); the quarters' and years' rows are summed
from them here, as the rebuild does (lianxin.insight.rollups._periods_from_months; written out: a migration does
not follow the code)."""

from django.db import migrations, models

MEASURES = (
    "received", "pending", "declined", "accepted", "resolved", "timed", "handling_days", "flagged", "online", "rated",
    "satisfied", "on_time",
)  # fmt: skip


def periods_from_months(apps, schema_editor):
    ops = schema_editor.connection.ops
    measures = ", ".join(MEASURES)
    sums = ", ".join(f"SUM({name})" for name in MEASURES)
    for span, unit in ((3, "quarter"), (12, "year")):
        start, params = ops.date_trunc_sql(unit, "month", ())
        schema_editor.execute(
            f"INSERT INTO insight_periodslice (month, span, node_id, dim, key, {measures}) "
            f"SELECT {start}, {span}, node_id, dim, key, {sums} FROM insight_periodslice WHERE span = 1 "
            "GROUP BY 1, 3, 4, 5",
            params,
        )


def months_only(apps, schema_editor):
    schema_editor.execute("DELETE FROM insight_periodslice WHERE span <> 1")


class Migration(migrations.Migration):
    dependencies = [("insight", "0003_coarse_cubes_on_time")]

    operations = [
        migrations.RenameModel("MonthlySlice", "PeriodSlice"),
        migrations.AlterModelOptions(
            name="periodslice", options={"verbose_name": "统计切片", "verbose_name_plural": "统计切片"}
        ),
        migrations.RemoveConstraint(model_name="periodslice", name="insight_slice_key"),
        migrations.RemoveIndex(model_name="periodslice", name="insight_slice_node"),
        migrations.AddField(
            model_name="periodslice",
            name="span",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "月"), (3, "季度"), (12, "年")], default=1, verbose_name="跨度"
            ),
        ),
        migrations.AlterField(
            model_name="periodslice", name="month", field=models.DateField(verbose_name="起始月份")
        ),
        migrations.AddConstraint(
            model_name="periodslice",
            constraint=models.UniqueConstraint(
                fields=("month", "span", "node_id", "dim", "key"), name="insight_slice_key"
            ),
        ),
        migrations.AddIndex(
            model_name="periodslice",
            index=models.Index(fields=["node_id", "dim", "span", "month"], name="insight_slice_node_span"),
        ),
        migrations.RunPython(periods_from_months, months_only),
    ]
