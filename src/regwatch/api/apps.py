from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "regwatch.api"
    label = "api"
    verbose_name = "接口"
