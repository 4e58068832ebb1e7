from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "regwatch.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from . import receivers, tasks  # noqa: F401
