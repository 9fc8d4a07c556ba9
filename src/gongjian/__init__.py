"""共建 Gongjian: regional Party building."""

from .celery import app as celery_app

__all__ = ("celery_app",)
