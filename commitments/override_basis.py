"""The answer to ``ratings.hooks.override_basis``: an override that raises a level names, by number, an
objection or a credit repair of the same enterprise that is not refused; ratings cannot read them."""

from credit_portal.errors import ApplicationError

from .models import Objection, ObjectionStatus, RepairApplication, RepairStatus


def override_basis_describe(*, customer_id: int, kind: str, ref: str) -> str:
    """The objection or repair numbered ``ref`` in words, or a refusal on the ``basis_ref`` field."""
    if kind == "objection":
        objection = Objection.objects.select_related("event", "revocation").filter(pk=int(ref)).first()
        if objection is None or objection.customer_id != customer_id:
            raise ApplicationError(f"该企业没有编号为 {ref} 的异议，请核对异议编号", field="basis_ref")
        if objection.effective_status == ObjectionStatus.REFUSED:
            raise ApplicationError(f"异议 #{ref} 已决定不成立，不能作为提高信用等级的依据", field="basis_ref")
        disputed = objection.event if objection.event_id else "信用记录"
        return f"异议 #{objection.pk}（{disputed}，{objection.effective_status_label}）"
    if kind == "repair":
        repair = RepairApplication.objects.select_related("event").filter(pk=int(ref)).first()
        if repair is None or repair.customer_id != customer_id:
            raise ApplicationError(f"该企业没有编号为 {ref} 的信用修复申请，请核对编号", field="basis_ref")
        if repair.status == RepairStatus.REFUSED:
            raise ApplicationError(f"信用修复申请 #{ref} 已决定不予修复，不能作为提高信用等级的依据", field="basis_ref")
        return f"信用修复 #{repair.pk}（{repair.event}，{repair.get_status_display()}）"
    raise ApplicationError(f"未知的调整依据“{kind}”", field="basis_kind")
