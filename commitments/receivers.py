"""What commitments does when the archive announces news; connected in ``CommitmentsConfig.ready``."""

from .services.letters import letters_breach_refresh, letters_breach_refresh_many
from .services.measures import LevelMove, level_move_matters, measures_follow_levels


def letters_when_event_changed(*, customer_id: int, cause: str, **kwargs) -> None:
    """An event recorded breaks an accepted letter's promise (违诺); revoked, it no longer does."""
    if cause in ("event", "revocation"):
        letters_breach_refresh(customer_id=customer_id)


def letters_when_facts_imported(*, customer_ids, **kwargs) -> None:
    """Events come from the marketing system's import too: they break (or, revoked, no longer break)
    accepted letters as an event recorded by hand does."""
    letters_breach_refresh_many(customer_ids=customer_ids)


def measures_when_level_changed(*, history_rows=(), changes=(), **kwargs) -> None:
    """Ratings recorded level changes (one customer's, or a batch of the nightly run as tuples): the
    measures of red and black follow, in the same transaction. Writes no notice, so counts none."""
    moves = [
        LevelMove(row.pk, row.customer_id, row.level, row.cause)
        for row in history_rows
        if level_move_matters(level=row.level, previous_level=row.previous_level)
    ]
    moves += [
        LevelMove(pk, customer_id, level)
        for pk, customer_id, level, was, _on in changes
        if level_move_matters(level=level, previous_level=was)
    ]
    if moves:
        measures_follow_levels(moves=moves)


def password_change_on_login(*, request, user, **kwargs) -> None:
    """At sign-in, note in the session whether the user holds a temporary password from the hall."""
    from .middleware import PASSWORD_CHANGE_SESSION_KEY
    from .services import password_change_required

    if request is not None and password_change_required(user):
        request.session[PASSWORD_CHANGE_SESSION_KEY] = True
