from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "regwatch.ops"
    label = "ops"
    verbose_name = "运维"
