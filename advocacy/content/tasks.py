"""Background tasks of content: thin wrappers that read the clock and call a service."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from advocacy.content.services import expire_assets


@task()
def expire_content() -> dict[str, Any]:
    """Expire assets past their consent; flag those expiring soon for re-permission."""
    run = expire_assets(timezone.now(), repermission_days=settings.CONTENT_REPERMISSION_DAYS)
    return run.as_dict()
