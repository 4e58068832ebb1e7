from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "regwatch.intake"
    label = "intake"
    verbose_name = "数据归集"

    def ready(self) -> None:
        from regwatch.packs.sections import register_section

        from . import packsection

        register_section("intake.yaml", packsection.load_intake, order=30)

        from regwatch.subjects.panels import Panel, register_panel

        from .panels import lineage_panel

        register_panel(Panel("intake_lineage", "数据来源与更新时间", "intake/_subject_panel.html", context=lineage_panel, order=80))
