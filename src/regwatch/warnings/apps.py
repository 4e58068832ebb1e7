from django.apps import AppConfig


class WarningsConfig(AppConfig):
    name = "regwatch.warnings"
    label = "warnings"
    verbose_name = "风险预警"
