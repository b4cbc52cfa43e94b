from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from fieldcast.items.models import Item
from fieldcast.items.selectors import item_list_page

from .models import User


def profile(request: HttpRequest, username: str) -> HttpResponse:
    """A member and their personal channel: what they posted."""
    member = get_object_or_404(User, username=username, is_active=True)
    viewer = request.viewer  # type: ignore[attr-defined]
    page = item_list_page(Item.objects.authored_by_for(member.pk, viewer), cursor=request.GET.get("after"))
    return render(
        request, "accounts/profile.html", {"member": member, "page": page, "is_self": viewer.user_id == member.pk}
    )
