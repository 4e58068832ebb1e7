from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "regwatch.quality"
    label = "quality"
    verbose_name = "数据质量"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects to intake's signals
