from django.db import migrations

from fieldcast.core.markdown import render_markdown

TERMS = """Fieldcast hosts footage of real events posted by its members.

## What you may post

- Footage you filmed, or have the right to share, of events of public interest.
- A truthful description: say what is known and what is not, and credit the source.
- A rating on every item: **GA** (all ages), **PG** (mild violence or distress) or **MA**
  (heavy violence, gore, strong language or sexuality).

## What you may not post

- Content that sexualises minors, incites violence, or targets private people.
- Content you have no right to share. Rights holders can send a notice to the moderators.

## Moderation

Moderators act in the open: a removed item keeps its page with the reason for its removal,
and the uploader is told why.

*Staff can edit this page in the admin (Site pages).*
"""

PRIVACY = """## What we store

- Your account: username, email address, password hash, and your date of birth if you gave it
  (used only to decide whether you may turn Safe Mode off).
- What you post: items, comments, votes and favorites.
- Counts of plays and views, deduplicated per visitor for a short window; no advertising trackers.

Original uploads keep their metadata (which may include location) privately; the versions we
publish carry no location or device data.

*Staff can edit this page in the admin (Site pages).*
"""


def create_pages(apps, schema_editor):
    SitePage = apps.get_model("pages", "SitePage")
    for slug, title, body in [("terms", "Terms of use", TERMS), ("privacy", "Privacy", PRIVACY)]:
        SitePage.objects.get_or_create(
            slug=slug, defaults={"title": title, "body": body, "body_html": render_markdown(body)}
        )


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_initial")]
    operations = [migrations.RunPython(create_pages, migrations.RunPython.noop)]
