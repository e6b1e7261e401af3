from django.core.wsgi import get_wsgi_application

from soutien.config.env import settings_module

settings_module("soutien.config.settings.prod")

application = get_wsgi_application()
