from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "regwatch.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import signals, triggers

        signals.connect()
        connection_created.connect(triggers.register_sqlite_function, dispatch_uid="regwatch.audit.sqlite_function")
        triggers.allow_flush()
