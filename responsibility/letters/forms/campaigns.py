"""Forms of the campaign pages. They parse input only; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit, Post, PostKind
from responsibility.letters.models.letters import Campaign, LetterTemplate

_DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CampaignUpdateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=Campaign._meta.get_field("title").max_length)
    template = forms.ModelChoiceField(
        label=_("Letter template"),
        queryset=LetterTemplate.objects.none(),
        help_text=_("Only published organ-level templates can be used."),
    )
    deadline = forms.DateField(label=_("Signing deadline"), widget=_DATE_INPUT)

    def __init__(self, *args, templates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates


class CampaignCreateForm(CampaignUpdateForm):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    reference_prefix = forms.CharField(
        label=_("Letter number prefix"),
        max_length=Campaign._meta.get_field("reference_prefix").max_length,
        help_text=_("A letter number is the prefix, the year and a number, for example 人常廉责〔2026〕1号."),
    )

    field_order = ["year", "title", "template", "deadline", "reference_prefix"]


class IssuerPostField(forms.ModelChoiceField):
    def label_from_instance(self, post: Post) -> str:
        return f"{post.full_title} · {post.holder}"


class CampaignIssueForm(forms.Form):
    """Who issues (甲方), and which posts receive a letter (乙方)."""

    issuer_post = IssuerPostField(label=_("Issued in the name of"), queryset=Post.objects.none())
    signer_kinds = forms.MultipleChoiceField(
        label=_("Posts that sign"),
        choices=PostKind.choices,
        initial=[PostKind.UNIT_HEAD],
        widget=forms.CheckboxSelectMultiple,
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=OrgUnit.objects.none(),
        required=False,
        help_text=_("Leave empty for all units."),
    )

    def __init__(self, *args, issuer_posts, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer_post"].queryset = issuer_posts
        self.fields["units"].queryset = units
        if not self.is_bound and "issuer_post" not in self.initial:
            first = next(iter(issuer_posts), None)
            if first is not None:
                self.initial["issuer_post"] = first.pk
