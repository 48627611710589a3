from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = "信用等级评定"

    def ready(self) -> None:
        # The archive announces changed facts; ratings re-rates (the archive does not import ratings).
        from archives.signals import credit_information_checking, facts_changed, facts_imported

        from . import receivers

        facts_changed.connect(receivers.refresh_when_facts_changed, dispatch_uid="ratings.refresh")
        facts_imported.connect(receivers.rerate_when_facts_imported, dispatch_uid="ratings.rerate_imported")
        credit_information_checking.connect(
            receivers.commendation_only_for_honest_customers, dispatch_uid="ratings.commendation_gate"
        )

        # A record's class is fixed at its finding with the rule set in force then (black.3's amount).
        from archives.publication import register_class_thresholds

        from .rulesets import rule_book_for

        register_class_thresholds(lambda on: rule_book_for(as_of=on).class_thresholds)

        from credit_portal.navigation import register_queue_count

        from .models import LevelOverride, OverrideStatus

        register_queue_count(
            "overrides",
            permission="ratings.approve_override",
            count=lambda: LevelOverride.objects.filter(status=OverrideStatus.PENDING).count(),
        )

        from credit_portal.metrics import register_metrics

        from .metrics import ratings_metrics

        register_metrics("ratings", ratings_metrics)

    def pdf_texts(self) -> str:
        """The plan's wording of the rules and the level names, printed in letters (for the PDF font cut)."""
        from . import rules

        parts = [str(v) for c in rules.CRITERIA_BY_ID.values() for v in vars(c).values() if isinstance(v, str)]
        return "".join(parts) + "".join(rules.LEVEL_LABELS.values())
