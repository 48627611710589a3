"""What ratings gives the archive for its list, export and API: the level in force of customers,
read from CustomerRating in the customers' own query (registered in RatingsConfig.ready)."""

from django.db.models import F, QuerySet

from archives.levels import LevelSource


def _annotate(customers: QuerySet) -> QuerySet:
    return customers.annotate(
        level=F("rating__level"), level_as_of=F("rating__as_of"), level_changed_on=F("rating__changed_on")
    )


def _of_level(customers: QuerySet, level: str) -> QuerySet:
    return customers.filter(rating__level=level)


LEVEL_SOURCE = LevelSource(annotate=_annotate, of_level=_of_level)
