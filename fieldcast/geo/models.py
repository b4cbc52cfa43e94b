from django.db import models


class Place(models.Model):
    """A named place with coordinates: a country, a city or a landmark."""

    class Kind(models.TextChoices):
        COUNTRY = "country", "Country"
        REGION = "region", "Region"
        CITY = "city", "City"
        SITE = "site", "Site"

    name = models.CharField(max_length=200)
    name_key = models.CharField(max_length=200, db_index=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CITY)
    country_code = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    country_name = models.CharField(max_length=100, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    population = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name_key", "country_code", "kind"], name="place_unique_name"),
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                & models.Q(longitude__gte=-180, longitude__lte=180),
                name="place_coordinates_in_range",
            ),
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        if self.kind == self.Kind.COUNTRY or not self.country_name:
            return self.name
        return f"{self.name}, {self.country_name}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from fieldcast.core.text import normalize_key

        self.name_key = normalize_key(self.name)
        super().save(*args, **kwargs)
