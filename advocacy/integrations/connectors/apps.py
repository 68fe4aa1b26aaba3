from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "advocacy.integrations.connectors"
    label = "connectors"
    verbose_name = "Connections: inbound webhooks from survey tools and CRMs"

    def ready(self) -> None:
        from datetime import timedelta

        from advocacy.core.scheduler import Job, register

        # Each vendor's module registers its connector (advocacy.integrations.connectors.registry).
        from advocacy.integrations.connectors import (
            jobs,
            vendors,  # noqa: F401
        )
        from advocacy.integrations.connectors.tasks import drain_inbox, sync_crms, write_back_crms

        # Requests queue the drain themselves; this catches what a lost task left pending.
        register(
            Job(
                "drain-inbox",
                timedelta(minutes=5),
                drain_inbox.enqueue,
                "Map the connections' pending requests to signals (a safety net).",
            )
        )
        register(
            Job(
                "crm-sync",
                timedelta(minutes=15),
                sync_crms.enqueue,
                "Sync accounts, contacts and deals from each CRM connection, from its cursors.",
            )
        )
        register(
            Job(
                "crm-write-back",
                timedelta(minutes=5),
                write_back_crms.enqueue,
                "Write reference calls, referrals and advocates back to the CRMs, with retries.",
            )
        )
        jobs.register()
