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

        from regwatch.web.registry import HomeCard, register_card

        from .cards import warning_card

        register_card(
            HomeCard("warnings", "风险预警", "warnings/_home_card.html", context=warning_card, order=20, perm="warnings.view_warning")
        )
