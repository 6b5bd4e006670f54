from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "lianxin.suggestions"
    label = "suggestions"
    verbose_name = "代表建议与议案"
