"""Where a serializer links a private file: the download that checks who asks."""

from django.urls import reverse


def private_file_url(kind: str, instance, field_name: str) -> str | None:
    """The permission-checked download of ``instance``'s file, or None when it has none."""
    if not getattr(instance, field_name):
        return None
    return reverse("commitments:private_file", kwargs={"kind": kind, "pk": instance.pk})
