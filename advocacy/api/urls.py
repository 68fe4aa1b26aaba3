from django.urls import path

from advocacy.api.main import api

urlpatterns = [path("", api.urls)]
