from django.apps import AppConfig


class PacksConfig(AppConfig):
    name = "regwatch.packs"
    label = "packs"
    verbose_name = "业务包"

    def ready(self) -> None:
        from . import titles

        titles.connect()
