from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "regwatch.workorders"
    label = "workorders"
    verbose_name = "工单处置"

    def ready(self) -> None:
        from regwatch.audit.ledger import register_reference_check
        from regwatch.packs.sections import register_section
        from regwatch.warnings.views import DETAIL_CONTEXT

        from . import tasks  # noqa: F401
        from .evidence import check_references
        from .spec import load_workflows
        from .views import warning_context

        register_section("workflows.yaml", load_workflows, order=61)
        register_reference_check(check_references)

        from regwatch.web.registry import HomeCard, register_card

        from .cards import work_card

        register_card(
            HomeCard(
                "work",
                "待办与超期工单",
                "workorders/_home_card.html",
                context=work_card,
                order=30,
                perm="workorders.view_workorder",
                width="col-12",
            )
        )
        if warning_context not in DETAIL_CONTEXT:
            DETAIL_CONTEXT.append(warning_context)
