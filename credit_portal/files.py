"""Serving private uploads (evidence, reports, letters, documents) once a view has checked access."""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def private_file_response(stored: FieldFile | None, *, kind: str, uscc: str, pk: int) -> FileResponse:
    """The upload inline, named ``<kind>-<uscc>-<pk>.<ext>``; a browser may neither sniff nor run it.

    404 when the record has no file. The caller has already checked that the user may see the record.
    """
    if not stored:
        raise Http404
    name = f"{kind}-{uscc}-{pk}{stored.name[stored.name.rfind('.') :]}"
    response = FileResponse(stored.open("rb"), as_attachment=False, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response
