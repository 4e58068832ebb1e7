from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "regwatch.indicators"
    label = "indicators"
    verbose_name = "指标库"
