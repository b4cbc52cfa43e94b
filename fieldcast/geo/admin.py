from django.contrib import admin

from .models import Place


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country_name", "latitude", "longitude", "population"]
    list_filter = ["kind", "country_code"]
    search_fields = ["name", "name_key", "country_name"]
