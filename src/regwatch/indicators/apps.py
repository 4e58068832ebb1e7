from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "regwatch.indicators"
    label = "indicators"
    verbose_name = "指标库"

    def ready(self) -> None:
        from regwatch.packs.sections import register_section

        from . import objects  # noqa: F401
        from .services import load_indicators

        register_section("indicators.yaml", load_indicators, order=20)
