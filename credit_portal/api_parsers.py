"""The API's parsers (a module of its own: DRF imports the parser settings while loading its views)."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from .control_characters import IN_FIELD, IN_FIELD_MESSAGE, code_of

# No request of the portal nests deeper than a few levels; a deeper body is refused before it
# reaches code that recurses over it (the json module itself fails past ~1,000 levels).
MAX_JSON_DEPTH = 32


def _refusal(value, limit: int) -> str | None:
    """Why the body is refused: nested too deeply, or a text value holds a control character (a key that
    holds one names no field the portal reads: it is left unread)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if found := IN_FIELD.search(item):
                return IN_FIELD_MESSAGE.format(code=code_of(found))
            continue
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return f"JSON 嵌套层数过多（最多 {limit} 层）"
        stack.extend((child, depth + 1) for child in children)
    return None


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering 400 (not 500) for a body nested too deeply, and 400 for a control
    character in a text, as the request guard does for form fields (JSON bodies are not read there)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON 嵌套层数过多（最多 {MAX_JSON_DEPTH} 层）") from None
        refusal = _refusal(data, MAX_JSON_DEPTH)
        if refusal:
            raise ParseError(refusal)
        return data
