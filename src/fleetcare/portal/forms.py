"""Portal forms: catalogue filters and API tokens."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from fleetcare.catalog.models import Category

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
