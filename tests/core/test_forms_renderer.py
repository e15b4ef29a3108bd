"""core.forms_renderer writes inputs and selects exactly as Django's templates do."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from fleetcare.core.forms_renderer import FastTemplates


class Everything(forms.Form):
    text = forms.CharField(max_length=10, initial='a "quoted" <b>value</b>')
    optional = forms.CharField(required=False, help_text="help")
    number = forms.IntegerField(min_value=0, initial=3)
    email = forms.EmailField(required=False)
    day = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), initial=datetime.date(2026, 12, 1)
    )
    hidden = forms.CharField(widget=forms.HiddenInput, initial="h&v")
    secret = forms.CharField(widget=forms.PasswordInput)
    agree = forms.BooleanField(required=False, initial=True)
    choice = forms.ChoiceField(
        choices=[("", "All"), ("a", "A & <b>"), ("b", "B")], initial="b", required=False
    )
    grouped = forms.ChoiceField(
        choices=[("x", "X"), ("Group <1>", [("g1", "G1"), ("g2", "G2")])], initial="g2"
    )
    many = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two")], initial=["1", "2"])
    upload = forms.FileField(required=False)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    pick = forms.ChoiceField(widget=forms.RadioSelect, choices=[("r", "R"), ("s", "S")])


def _render(form: forms.Form, renderer) -> dict[str, str]:
    form.renderer = renderer
    return {name: str(form[name]) for name in form.fields}


@pytest.mark.parametrize("bound", [False, True])
def test_fast_renderer_writes_the_templates_html(bound):
    data = {
        "text": "x<y",
        "number": "-1",
        "choice": "a",
        "grouped": "g1",
        "many": ["2"],
        "hidden": "'",
        "agree": "on",
        "pick": "s",
    }
    fast = _render(Everything(data if bound else None), FastTemplates())
    slow = _render(Everything(data if bound else None), DjangoTemplates())
    assert fast == slow
    assert "selected" in fast["choice"] and "&lt;b&gt;" in fast["choice"]


def test_the_project_renders_forms_with_it(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "fleetcare.core.forms_renderer.FastTemplates"
    get_default_renderer.cache_clear()
    assert isinstance(get_default_renderer(), FastTemplates)
