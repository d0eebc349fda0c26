"""The Django web application: settings, URLs and one app per bounded context."""
