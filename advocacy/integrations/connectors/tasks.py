"""Background tasks of the connectors: thin wrappers around a service."""

from __future__ import annotations

import logging
from typing import Any

from django.utils import timezone
from django_tasks import task

from advocacy.integrations.connectors.crm import CrmError, crm_kinds, sync
from advocacy.integrations.connectors.models import Connection
from advocacy.integrations.connectors.processing import drain
from advocacy.integrations.connectors.writeback import queue_write_backs, send_write_backs

logger = logging.getLogger(__name__)


@task()
def drain_inbox() -> dict[str, Any]:
    """Map every pending request to signals (advocacy.integrations.connectors.processing)."""
    return drain(now=timezone.now).as_dict()


@task()
def sync_crms() -> dict[str, Any]:
    """Sync every CRM connection in use from its cursors (advocacy.integrations.connectors.crm);
    one that fails or is already syncing does not stop the others."""
    states: dict[str, Any] = {}
    names = Connection.objects.filter(kind__in=crm_kinds(), removed_at__isnull=True)
    for name in names.order_by("name").values_list("name", flat=True):
        try:
            run = sync(name, now=timezone.now)
        except CrmError as exc:
            states[name] = str(exc)
            continue
        states[name] = run.state
        if run.error:
            logger.warning("CRM sync of %s stopped: %s", name, run.error)
    return states


@task()
def write_back_crms() -> dict[str, Any]:
    """Queue what is new to write back to each CRM, then send what is due
    (advocacy.integrations.connectors.writeback)."""
    queued = queue_write_backs(now=timezone.now())
    return {"queued": queued, **send_write_backs(now=timezone.now())}
