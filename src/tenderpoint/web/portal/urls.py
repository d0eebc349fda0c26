"""The patient's own portal, under /me/."""

from django.urls import URLPattern

app_name = "portal"

urlpatterns: list[URLPattern] = []
