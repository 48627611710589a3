"""The API's parsers (a module of its own: DRF imports the parser settings while loading its views)."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

# No request of the portal nests deeper than a few levels; a deeper body is refused before it
# reaches code that recurses over it (the json module itself fails past ~1,000 levels).
MAX_JSON_DEPTH = 32


def _too_deep(value, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering 400 (not 500) for a body nested too deeply."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            data = None
            too_deep = True
        else:
            too_deep = _too_deep(data, MAX_JSON_DEPTH)
        if too_deep:
            raise ParseError(f"JSON 嵌套层数过多（最多 {MAX_JSON_DEPTH} 层）")
        return data
