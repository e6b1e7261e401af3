from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "soutien.web"
    label = "web"
