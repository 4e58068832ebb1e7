from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "regwatch.scoring"
    label = "scoring"
    verbose_name = "评分评级"

    def ready(self) -> None:
        from regwatch.indicators.objects import DETAIL_CONTEXT
        from regwatch.packs.sections import register_section
        from regwatch.subjects.panels import Panel, register_panel
        from regwatch.subjects.signals import records_added, subject_changed

        from . import objects, tasks  # noqa: F401
        from .packsection import load_scoring
        from .panels import grade_panel, indicator_context

        register_section("scoring.yaml", load_scoring, order=30)
        records_added.connect(tasks.on_records_added, dispatch_uid="regwatch.scoring.regrade")
        if indicator_context not in DETAIL_CONTEXT:
            DETAIL_CONTEXT.append(indicator_context)
        subject_changed.connect(tasks.on_subject_changed, dispatch_uid="regwatch.scoring.regrade_subject")
        register_panel(Panel("grade", "风险等级与评分解释", "scoring/_subject_panel.html", context=grade_panel, order=10))

        from regwatch.web.registry import HomeCard, register_card

        from .cards import risk_card

        register_card(
            HomeCard("risk", "辖区风险等级", "scoring/_home_card.html", context=risk_card, order=10, perm="scoring.view_currentgrade")
        )
