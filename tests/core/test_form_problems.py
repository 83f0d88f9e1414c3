"""A refused form's banner says what is wrong (core.forms.form_problems), in the order of the page."""

from django import forms

from core.forms import form_problems, form_problems_text


class _Reason(forms.Form):
    reason = forms.CharField(error_messages={"required": "请填写理由。"})
    days = forms.IntegerField(error_messages={"invalid": "请填写整数天数。"})

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            raise forms.ValidationError("该问题已被他人处理。")
        return cleaned


_Rows = forms.formset_factory(_Reason, extra=0, min_num=1, validate_min=True)


def test_each_problem_is_named_once_in_the_order_of_the_page():
    form = _Reason({"reason": "", "days": "三"})
    same_rows = _Rows({"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-days": "x"})
    no_rows = _Rows({"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0"})

    assert not form.is_valid() and not same_rows.is_valid() and not no_rows.is_valid()
    assert form_problems(form) == ["请填写理由。", "请填写整数天数。"]
    # a row's problems already named are not named again; the formset's own follow
    assert form_problems(form, same_rows) == ["请填写理由。", "请填写整数天数。"]
    assert form_problems(form, no_rows) == [
        "请填写理由。",
        "请填写整数天数。",
        str(no_rows.non_form_errors()[0]),
    ]
    assert form_problems_text(form) == "请填写理由。；请填写整数天数。"


def test_a_form_wide_problem_comes_first():
    form = _Reason({"reason": "已整改", "days": "3"})

    assert not form.is_valid()
    assert form_problems(form) == ["该问题已被他人处理。"]
