"""What ratings answers the archive for its list, export and API: the level in force of customers,
read from CustomerRating in the customers' own query (``archives.hooks``, registered in RatingsConfig.ready)."""

from django.db.models import F, QuerySet


def customers_with_level(*, customers: QuerySet) -> QuerySet:
    return customers.annotate(
        level=F("rating__level"), level_as_of=F("rating__as_of"), level_changed_on=F("rating__changed_on")
    )


def customers_of_level(*, customers: QuerySet, level: str) -> QuerySet:
    return customers.filter(rating__level=level)
