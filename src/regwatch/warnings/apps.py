from django.apps import AppConfig


class WarningsConfig(AppConfig):
    name = "regwatch.warnings"
    label = "warnings"
    verbose_name = "风险预警"

    def ready(self) -> None:
        from regwatch.packs.sections import register_section

        from . import receivers  # noqa: F401
        from .packsection import load_rules

        register_section("rules.yaml", load_rules, order=60)
