from django.db import migrations

from lianxin.cases.defaults import CATEGORIES, DEADLINES


def seed(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    DeadlinePolicy = apps.get_model("cases", "DeadlinePolicy")
    for sort, (code, name, description, keywords) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "keywords": keywords, "sort": sort}
        )
    for urgency, (accept, transfer, reply, feedback, remind) in DEADLINES.items():
        DeadlinePolicy.objects.get_or_create(
            category=None,
            urgency=urgency,
            defaults={
                "accept_days": accept,
                "transfer_days": transfer,
                "reply_days": reply,
                "feedback_days": feedback,
                "remind_before_days": remind,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
