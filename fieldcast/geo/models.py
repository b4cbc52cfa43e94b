from django.db import models
from django.utils import timezone


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
        indexes = [
            # Prefix lookups of the location field's suggestions (PostgreSQL; SQLite uses a range).
            models.Index(fields=["name_key"], name="place_name_key_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["latitude", "longitude"], name="place_lat_lon"),  # places_near's box
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


class PlaceName(models.Model):
    """Another name of a place (spelling variants, other scripts: Yabrud, يبرود), matched by key."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="alternate_names")
    name = models.CharField(max_length=200)
    key = models.CharField(max_length=200, db_index=True, help_text="fold_key(name): normalize_key without diacritics")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["place", "key"], name="placename_unique")]
        indexes = [models.Index(fields=["key"], name="placename_key_prefix", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.place_id})"


class ItemPlace(models.Model):
    """A place found in an item's title or body by the place extractor (a suggestion until the
    uploader takes it as the item's location; the item map shows them beside the main place)."""

    item = models.ForeignKey("items.Item", on_delete=models.CASCADE, related_name="mentioned_places")
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="item_mentions")
    matched_text = models.CharField(max_length=200, help_text="The words as they stand in the text.")
    score = models.FloatField(default=0, help_text="Confidence of the match, higher is surer.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "place"], name="itemplace_unique")]
        ordering = ["-score", "id"]

    def __str__(self) -> str:
        return f"{self.place_id} in {self.item_id}"
