"""URLs of the Slack connector (namespace "slack"), mounted at /slack/."""

from django.urls import path

from advocacy.integrations.slack import views

app_name = "slack"

urlpatterns = [path("actions/", views.actions, name="actions")]
