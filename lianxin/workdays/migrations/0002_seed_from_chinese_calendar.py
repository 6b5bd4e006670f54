"""Seed the calendar with every year the installed `chinese-calendar` package knows (offline: the package
carries its data). Later years are imported by administrators (lianxin import_calendar)."""

from django.db import migrations


def seed(apps, schema_editor):
    from lianxin.workdays.package_data import package_exceptions

    CalendarDay = apps.get_model("workdays", "CalendarDay")
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    db = schema_editor.connection.alias
    data = package_exceptions()
    have_years = set(CalendarYear.objects.using(db).values_list("year", flat=True))
    have_days = set(CalendarDay.objects.using(db).values_list("date", flat=True))
    CalendarYear.objects.using(db).bulk_create(
        [CalendarYear(year=year, source="chinese-calendar", is_complete=True) for year in data if year not in have_years]
    )
    CalendarDay.objects.using(db).bulk_create(
        [
            CalendarDay(date=day, is_workday=is_workday, name=name)
            for year, days in data.items()
            if year not in have_years
            for day, is_workday, name in days
            if day not in have_days
        ],
        batch_size=500,
    )


def unseed(apps, schema_editor):
    CalendarDay = apps.get_model("workdays", "CalendarDay")
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    db = schema_editor.connection.alias
    CalendarYear.objects.using(db).filter(source="chinese-calendar").delete()
    CalendarDay.objects.using(db).all().delete()


class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
