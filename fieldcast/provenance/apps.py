from django.apps import AppConfig


class ProvenanceConfig(AppConfig):
    name = "fieldcast.provenance"
    label = "provenance"
    verbose_name = "Provenance"
