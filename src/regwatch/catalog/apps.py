from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "regwatch.catalog"
    label = "catalog"
    verbose_name = "数据目录"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects to intake's signals
