"""WSGI entry point for gunicorn (`tenderpoint serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tenderpoint.web.settings")

application = get_wsgi_application()
