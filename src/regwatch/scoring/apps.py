from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "regwatch.scoring"
    label = "scoring"
    verbose_name = "评分评级"
