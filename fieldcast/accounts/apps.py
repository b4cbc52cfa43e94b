from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "fieldcast.accounts"
    label = "accounts"
