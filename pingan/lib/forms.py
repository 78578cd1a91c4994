"""Forms for what a page posts: each view reads its input through one, never field
by field off request.POST. A form's problem is a DomainError with one Chinese
sentence, so a view shows it the way it shows a service's refusal."""

from __future__ import annotations

from typing import Any

from django import forms

from pingan.lib.errors import DomainError


class FormError(DomainError):
    """What was posted cannot be read as the form asks."""


class Form(forms.Form):
    def cleaned(self) -> dict[str, Any]:
        """The cleaned values, or FormError with the first problem."""
        if not self.is_valid():
            raise FormError(self.first_error())
        return self.cleaned_data

    def first_error(self) -> str:
        """The first problem, named by its field's label unless it says it already."""
        for name, problems in self.errors.as_data().items():
            problem = problems[0]
            message = " ".join(problem.messages)
            label = str(self.fields[name].label or "") if name in self.fields else ""
            if not label or problem.code == "required" or label in message:
                return message
            return f"{label}：{message}"
        return ""


def text(
    label: str = "", *, required: bool = False, max_length: int | None = None
) -> forms.CharField:
    """A text field stripped of surrounding spaces; blank unless required."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        error_messages={"required": f"请填写{label}" if label else "必填"},
    )


def flag() -> forms.BooleanField:
    """A checkbox: ticked or not, never an error."""
    return forms.BooleanField(required=False)


class NoteForm(Form):
    """The free text most steps take: a note, or the reason a step or a reveal needs
    (the service says when one is required)."""

    note = text()
    reason = text()
