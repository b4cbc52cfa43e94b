from django.conf import settings
from django.db import models
from django.urls import reverse


class SitePage(models.Model):
    """A page staff edit in the admin: terms of use, privacy, about."""

    slug = models.SlugField(max_length=50, unique=True)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown")
    body_html = models.TextField(editable=False, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("pages:page", kwargs={"slug": self.slug})
