from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = "信用等级评定"

    def ready(self) -> None:
        # The archive announces changed facts; ratings re-rates (the archive does not import ratings).
        from archives.hooks import credit_information_allowed
        from archives.signals import facts_changed, facts_imported

        from . import receivers

        facts_changed.connect(receivers.refresh_when_facts_changed, dispatch_uid="ratings.refresh")
        facts_imported.connect(receivers.rerate_when_facts_imported, dispatch_uid="ratings.rerate_imported")
        credit_information_allowed.register(receivers.commendation_only_for_honest_customers)

        from .signals import level_changed

        level_changed.connect(receivers.dashboard_outdated_when_level_changed, dispatch_uid="ratings.dashboard")

        # A record's class is fixed at its finding with the rule set in force then (black.3's amount).
        from archives import hooks

        from .levels import customers_of_level, customers_with_level
        from .rulesets import rule_book_for

        hooks.class_thresholds.register(lambda *, on: rule_book_for(as_of=on).class_thresholds)
        # The level the archive's list, export and API show is the level in force, read in their query.
        hooks.customers_with_level.register(customers_with_level)
        hooks.customers_of_level.register(customers_of_level)

        from django.db.models.signals import post_delete, post_save

        from credit_portal.navigation import register_queue_count

        from .models import LevelOverride, OverrideStatus, RuleSet
        from .rulesets import rule_sets_changed

        # Every process keeps the applied rule sets: any write of one makes them stale (on commit, everywhere).
        post_save.connect(rule_sets_changed, sender=RuleSet, dispatch_uid="ratings.rule_sets_saved")
        post_delete.connect(rule_sets_changed, sender=RuleSet, dispatch_uid="ratings.rule_sets_deleted")

        register_queue_count(
            "overrides",
            permission="ratings.approve_override",
            queryset=lambda: LevelOverride.objects.filter(status=OverrideStatus.PENDING),
            changed_by=[LevelOverride],
        )

        from credit_portal.metrics import register_metrics

        from .metrics import ratings_metrics

        register_metrics("ratings", ratings_metrics)

    def pdf_texts(self) -> str:
        """The plan's wording of the rules and the level names, printed in letters (for the PDF font cut)."""
        from . import rules

        parts = [str(v) for c in rules.CRITERIA_BY_ID.values() for v in vars(c).values() if isinstance(v, str)]
        return "".join(parts) + "".join(rules.LEVEL_LABELS.values())
