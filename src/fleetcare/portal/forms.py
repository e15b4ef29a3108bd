"""Portal forms: catalogue filters and API tokens."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from fleetcare.catalog.models import Category
from fleetcare.organisations.models import ApiToken

LIFECYCLE_CHOICES = [
    ("", _("Any lifecycle status")),
    ("active", _("Active")),
    ("end_of_sale", _("End of sale")),
    ("end_of_support", _("End of support")),
]


class CatalogFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("SKU, name or family"), "autocomplete": "off"}
        ),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("All categories"),
    )
    lifecycle = forms.ChoiceField(label=_("Lifecycle"), choices=LIFECYCLE_CHOICES, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.visible_to(user)


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “inventory script”."),
    )

    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=ApiToken.TokenScope.choices,
        initial=ApiToken.TokenScope.READ_WRITE,
        required=False,
        help_text=_("A read-only token can read but never change anything."),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires"),
        choices=[
            ("30", _("in 30 days")),
            ("90", _("in 90 days")),
            ("365", _("in a year")),
            ("", _("never")),
        ],
        coerce=int,
        empty_value=None,
        initial="90",
        required=False,
    )

    def clean_scope(self):
        return self.cleaned_data.get("scope") or ApiToken.TokenScope.READ_WRITE

    def clean(self):
        data = super().clean()
        # A form posted without the field (an old page, a script) gets the default
        # lifetime; choosing "never" posts an empty value.
        if "expires_in_days" not in self.data:
            data["expires_in_days"] = 90
        return data


def _zone_choices() -> list[tuple[str, str]]:
    return [("", _("My organisation's main site"))] + [
        (z, z) for z in sorted(zoneinfo.available_timezones()) if "/" in z or z == "UTC"
    ]


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=_zone_choices,
        required=False,
        help_text=_("Every time is shown in this zone, with the zone named."),
    )
