import secrets
import string

_ALPHABET = string.digits + string.ascii_letters
PUBLIC_ID_LENGTH = 10


def new_public_id() -> str:
    """A short, unguessable id for public URLs (62^10, about 8e17 values)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(PUBLIC_ID_LENGTH))
