"""API serializers of the ratings: the level in force, why, and how it changed."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import rules
from .models import CustomerRating, LevelOverride, OverrideBasis, RatingHistory
from .rulesets import book_of_version
from .selectors.words import rule_words

LEVEL_CHOICES = list(rules.LEVEL_LABELS.items())


class RuleSerializer(serializers.Serializer):
    """One criterion of Annex 3 that decided the level, in the plan's own words."""

    id = serializers.CharField(help_text="规则编号，如 red.3")
    level = serializers.ChoiceField(choices=LEVEL_CHOICES)
    plan_text = serializers.CharField(help_text="评定方案原文")
    condition = serializers.CharField(help_text="按规则表展开的条件")


class OverrideSerializer(serializers.ModelSerializer):
    # One choice set under one name keeps the schema's enums unambiguous (LevelEnum).
    level = serializers.ChoiceField(choices=LEVEL_CHOICES, help_text="调整为")
    basis_kind = serializers.ChoiceField(
        choices=OverrideBasis.choices,
        help_text=(
            "调整依据：objection 异议、repair 信用修复、court 法院裁判文书；空为降低等级（仅需理由），legacy 为既有调整"
        ),
    )
    basis_ref = serializers.CharField(help_text="异议或信用修复申请的编号，或裁判文书的文书号")

    class Meta:
        model = LevelOverride
        fields = ["id", "level", "reason", "ends_on", "status", "decided_at", "basis_kind", "basis_ref"]
        read_only_fields = fields


class RatingSerializer(serializers.Serializer):
    """The customer's rating: the level in force (an override wins) and the level the rules compute."""

    customer = serializers.CharField(source="customer.uscc", help_text="统一社会信用代码")
    level = serializers.ChoiceField(choices=LEVEL_CHOICES, help_text="当前信用等级（含人工调整）")
    level_label = serializers.SerializerMethodField()
    computed_level = serializers.CharField(help_text="按规则评定的等级（取值同 level）")
    computed_level_label = serializers.SerializerMethodField()
    honest = serializers.BooleanField(help_text="绿色、蓝色为诚信客户")
    rules = serializers.SerializerMethodField()
    explanation = serializers.CharField()
    as_of = serializers.DateField(help_text="评定日期")
    changed_on = serializers.DateField(help_text="最近变更日期")
    rules_version = serializers.CharField(help_text="规则版本")
    rule_set_version = serializers.IntegerField(help_text="评定所用的规则集版本")
    override = OverrideSerializer(allow_null=True, help_text="生效中的人工调整，无则为 null")
    stored = serializers.SerializerMethodField(help_text="false：尚未评级，以上为按今天的档案即时评定的结果")

    def get_level_label(self, rating: CustomerRating) -> str:
        return rules.LEVEL_LABELS[rating.level]

    def get_computed_level_label(self, rating: CustomerRating) -> str:
        return rules.LEVEL_LABELS[rating.computed_level]

    @extend_schema_field(RuleSerializer(many=True))
    def get_rules(self, rating: CustomerRating) -> list[dict]:
        # The wording of the rule set the rating was made with.
        by_id = book_of_version(rating.rule_set_version).by_id
        criteria = [by_id[rule_id] for rule_id in rating.rules if rule_id in by_id]
        return RuleSerializer(criteria, many=True).data

    def get_stored(self, rating: CustomerRating) -> bool:
        return not rating._state.adding


#: The columns ``stored_rating_data`` answers from, read with the customer in one query.
RATING_LOOKUP_FIELDS = (
    "uscc",
    *(f"rating__{name}" for name in ("level", "computed_level", "rules", "explanation", "as_of", "changed_on")),
    "rating__rules_version",
    "rating__rule_set_version",
    *(f"rating__override__{name}" for name in OverrideSerializer.Meta.fields),
)
_DATETIME = serializers.DateTimeField()


def stored_rating_data(row: dict) -> dict:
    """``RatingSerializer``'s answer for a stored rating, written out from ``RATING_LOOKUP_FIELDS``.

    The rating look-up is the API's busiest call: building the serializer's fields (deep copies) and
    three model instances cost more than the look-up itself. ``tests/api`` checks that both answers are
    the same, override and rule-set wording included; the schema is still the serializer's.
    """
    level, computed = row["rating__level"], row["rating__computed_level"]
    by_id = book_of_version(row["rating__rule_set_version"]).by_id
    override = None
    if row["rating__override__id"] is not None:
        ends_on = row["rating__override__ends_on"]
        override = {
            "id": row["rating__override__id"],
            "level": row["rating__override__level"],
            "reason": row["rating__override__reason"],
            "ends_on": ends_on.isoformat() if ends_on else None,
            "status": row["rating__override__status"],
            "decided_at": _DATETIME.to_representation(row["rating__override__decided_at"]),
            "basis_kind": row["rating__override__basis_kind"],
            "basis_ref": row["rating__override__basis_ref"],
        }
    return {
        "customer": row["uscc"],
        "level": level,
        "level_label": rules.LEVEL_LABELS[level],
        "computed_level": computed,
        "computed_level_label": rules.LEVEL_LABELS[computed],
        "honest": level in rules.HONEST_LEVELS,
        "rules": [
            {"id": c.id, "level": c.level, "plan_text": str(c.plan_text), "condition": str(c.condition)}
            for c in (by_id[rule_id] for rule_id in row["rating__rules"] if rule_id in by_id)
        ],
        "explanation": row["rating__explanation"],
        "as_of": row["rating__as_of"].isoformat(),
        "changed_on": row["rating__changed_on"].isoformat(),
        "rules_version": row["rating__rules_version"],
        "rule_set_version": row["rating__rule_set_version"],
        "override": override,
        "stored": True,
    }


class RatingHistorySerializer(serializers.ModelSerializer):
    """One change of a customer's level; history rows are never edited."""

    level_label = serializers.SerializerMethodField()
    previous_level = serializers.CharField(help_text="原等级（取值同 level；首次评级为空）")
    computed_level = serializers.CharField(help_text="按规则评定的等级（取值同 level）")
    rules = serializers.ListField(child=serializers.CharField(), help_text="依据条款（规则编号）")
    rules_words = serializers.SerializerMethodField(help_text="依据条款的文字，与 rules 一一对应")
    cause_label = serializers.CharField(source="get_cause_display")

    class Meta:
        model = RatingHistory
        fields = [
            "id",
            "level",
            "level_label",
            "previous_level",
            "computed_level",
            "rules",
            "rules_words",
            "explanation",
            "as_of",
            "rules_version",
            "rule_set_version",
            "cause",
            "cause_label",
            "cause_ref",
            "created_at",
        ]
        read_only_fields = fields

    def get_level_label(self, entry: RatingHistory) -> str:
        return rules.LEVEL_LABELS[entry.level]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_rules_words(self, entry: RatingHistory) -> list[str]:
        books = self.context.setdefault("rule_books", {})  # one look-up per rule-set version per response
        if entry.rule_set_version not in books:
            books[entry.rule_set_version] = book_of_version(entry.rule_set_version)
        return rule_words(entry.rules, books[entry.rule_set_version])
