"""Forms of the template (范本) pages: the template's text and its clauses as a formset."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from responsibility.letters.content import ClauseText
from responsibility.letters.models.letters import (
    ClauseCategory,
    LetterTemplate,
    TemplateClause,
    TemplateLevel,
)
from responsibility.letters.services.templates import TEMPLATE_TEXT_FIELDS


class LetterTemplateUpdateForm(forms.ModelForm):
    """Validates the template's fields against the model's limits. Never saved: the service writes."""

    class Meta:
        model = LetterTemplate
        fields = TEMPLATE_TEXT_FIELDS
        widgets = {
            "preamble": forms.Textarea(attrs={"rows": 5}),
            "closing": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"owner_unit": _("Only for a unit-level template; empty means every unit may use it.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = OrgUnit.objects.filter(is_active=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("level") == TemplateLevel.ORGAN and cleaned.get("owner_unit"):
            self.add_error("owner_unit", _("Only a unit-level template belongs to a unit."))
        return cleaned

    def template_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in TEMPLATE_TEXT_FIELDS}


class LetterTemplateCreateForm(LetterTemplateUpdateForm):
    class Meta(LetterTemplateUpdateForm.Meta):
        fields = ["code", *TEMPLATE_TEXT_FIELDS]
        help_texts = {
            **LetterTemplateUpdateForm.Meta.help_texts,
            "code": _("Letters, digits and hyphens; all versions of a template share it."),
        }


class ClauseForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=[("", "---------"), *ClauseCategory.choices])
    text = forms.CharField(
        label=_("Text"),
        max_length=TemplateClause._meta.get_field("text").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


ClauseFormSet = forms.formset_factory(ClauseForm, extra=2, can_delete=True, max_num=200, validate_max=True)


def clause_formset(data=None, *, template: LetterTemplate | None = None):
    initial = None
    if template is not None and data is None:
        initial = [{"category": c.category, "text": c.text} for c in template.clauses.order_by("number")]
    return ClauseFormSet(data, initial=initial, prefix="clauses")


def clause_texts(formset) -> list[ClauseText]:
    """The kept clauses, in the order shown, numbered from 1."""
    kept = [
        form.cleaned_data
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]
    return [ClauseText(number, data["category"], data["text"]) for number, data in enumerate(kept, start=1)]
