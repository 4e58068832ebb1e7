from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "regwatch.quality"
    label = "quality"
    verbose_name = "数据质量"
