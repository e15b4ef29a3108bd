"""R-PE-8: an account's device-management premium features are on while an account-wide
contract whose programme brings them (feature ``premium_device_management``) is in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fleetcare.core.programmes import ProgrammeKind, codes
from fleetcare.rules import software as rules


@dataclass(frozen=True)
class PremiumStatus:
    account_id: int
    on: date
    premium: bool
    reason: str
    contract_reference: str | None
    until: date | None

    @property
    def explanation(self) -> str:
        if self.premium:
            return _(
                "Premium device-management features are on: contract %(reference)s is in force "
                "until %(until)s."
            ) % {"reference": self.contract_reference, "until": self.until}
        return _("Premium device-management features are off: no contract in force includes them.")


def premium_status(account: Any, on: date | None = None) -> PremiumStatus:
    """The premium flag of ``account`` on ``on`` (today), in one query."""
    from fleetcare.contracts.models import EnterpriseContract

    on = on or timezone.localdate()
    row = (
        EnterpriseContract.objects.in_force(on)
        .filter(
            account_id=account.pk,
            programme_code__in=codes(ProgrammeKind.ACCOUNT_WIDE, premium_device_management=True),
        )
        .order_by("-end_date", "id")
        .values_list("reference", "end_date")
        .first()
    )
    reference, until = row if row else (None, None)
    decision = rules.decide_premium(contract_reference=reference, until=until)
    return PremiumStatus(account.pk, on, decision.entitled, decision.reason, reference, until)
