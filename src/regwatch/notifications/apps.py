from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "regwatch.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from regwatch.web.registry import Link, register_link

        from . import receivers, tasks  # noqa: F401

        # Kept here rather than in objects.py until the generic registry declares Message there.
        register_link(Link("系统管理", "外发消息", "notifications:outbox", "notifications.view_outboxitem", 90))
