from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .events import EVENTS


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("URL"), max_length=500, help_text=_("Where the events are POSTed, e.g. https://…")
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(name, format_lazy("{}: {}", name, label)) for name, label in EVENTS.items()],
        widget=forms.CheckboxSelectMultiple,
    )
