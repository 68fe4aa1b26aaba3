"""The one NinjaAPI: it collects a router per area."""

from ninja import NinjaAPI

api = NinjaAPI(title="advocacy", version="1", urls_namespace="api")
