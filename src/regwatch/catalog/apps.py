from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "regwatch.catalog"
    label = "catalog"
    verbose_name = "数据目录"
