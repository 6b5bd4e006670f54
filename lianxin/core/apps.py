from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _shared_store_tables(using: str = "default", **kwargs: Any) -> None:
    """The database's side of the shared store (lianxin.core.ratelimit) exists after every `migrate`, on a fresh
    database and in the test database alike: Django's cache table (createcachetable does nothing when the
    caches are Redis) and the rate-limit counters."""
    from django.core.management import call_command

    from lianxin.core.ratelimit import counter_table_create

    call_command("createcachetable", database=using, verbosity=0)
    counter_table_create(using)


class CoreConfig(AppConfig):
    name = "lianxin.core"
    label = "core"
    verbose_name = "系统"

    def ready(self) -> None:
        post_migrate.connect(_shared_store_tables, sender=self, dispatch_uid="lianxin.core.shared_store_tables")
