from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import SitePage


def page(request: HttpRequest, slug: str) -> HttpResponse:
    site_page = get_object_or_404(SitePage, slug=slug)
    return render(request, "pages/page.html", {"page": site_page})
