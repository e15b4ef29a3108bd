"""R-FLT-4: a full inventory that would retire more than a share of the fleet needs a
ticked confirmation (``confirm_retire``); an add-or-update import retires nothing."""

from __future__ import annotations

from django.conf import settings

from fleetcare.fleet.importing import Plan, _err
from fleetcare.fleet.models import ImportMode


def warn_share() -> float:
    return float(settings.FLEET_IMPORT_RETIRE_WARN_SHARE)


def over_share(retired: int, active: int) -> bool:
    """More than the share of the account's active devices (never when it has none)."""
    return active > 0 and retired > warn_share() * active


class RetireNotConfirmed(Exception):
    """The import was rolled back: it would retire ``retired`` of ``active`` devices."""

    field = "confirm_retire"

    def __init__(self, account_id: int, retired: int, active: int) -> None:
        self.account_id = account_id
        self.retired = retired
        self.active = active
        self.share_percent = round(warn_share() * 100)
        super().__init__(f"{retired} of {active} devices would be retired")

    def as_error(self) -> dict:
        return _err(
            1,
            self.field,
            "retire_unconfirmed",
            retired=self.retired,
            active=self.active,
            share=self.share_percent,
        )


def check_retire(plan: Plan, mode: str, confirmed: bool) -> None:
    """Inside the import's transaction, once the plan is known: refuse (the caller rolls
    back) a full inventory over the share that was not confirmed."""
    if mode != ImportMode.FULL or confirmed:
        return
    for acc, n in sorted(plan.retired.items()):
        active = plan.active.get(acc, 0)
        if over_share(n, active):
            raise RetireNotConfirmed(acc, n, active)
