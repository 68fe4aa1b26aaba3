"""URLs of the connectors' inbound webhooks (namespace "connectors"), mounted at /hooks/."""

from django.urls import path

from advocacy.integrations.connectors import views

app_name = "connectors"

urlpatterns = [path("<str:token>/", views.receive_view, name="receive")]
