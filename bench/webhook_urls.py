"""The URLconf of the `webhook_ingest` benchmark: the product's, plus its no-database twin,
in the connectors' own area (the staff login's middleware leaves it to its own guard, as it
does the real endpoint)."""

from django.urls import include, path

from bench.benchmarks.webhook_ingest import no_database_view

twin = ([path("<str:token>/", no_database_view, name="twin")], "connectors")

urlpatterns = [
    path("bench-hooks/", include(twin, namespace="connectors")),
    path("", include("advocacy.urls")),
]
