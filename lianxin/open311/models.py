"""API keys for Open311 GeoReport v2 clients (city systems, 12345 platforms, third-party apps).

A key may submit service requests (意见建议) to one jurisdiction, a region and everything below it. Only the
SHA-256 of the key is stored; the key itself is printed once by `lianxin create_open311_key`.
"""

import hashlib

from django.db import models

from lianxin.regions.models import Region


class Open311Key(models.Model):
    name = models.CharField("接入方", max_length=100, help_text="如 德清县12345平台")
    prefix = models.CharField("前缀", max_length=8, editable=False)
    key_hash = models.CharField("密钥摘要", max_length=64, unique=True, editable=False)
    region = models.ForeignKey(
        Region, verbose_name="可提交的区划", on_delete=models.PROTECT, related_name="+", help_text="含下级区划"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    class Meta:
        verbose_name = "Open311 接入密钥"
        verbose_name_plural = "Open311 接入密钥"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
