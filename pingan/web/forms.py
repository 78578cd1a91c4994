"""What the shell's pages post: signing in."""

from __future__ import annotations

from django import forms

from pingan.lib.forms import Form, text


class LoginForm(Form):
    username = text()
    password = forms.CharField(required=False, strip=False)  # a password is taken as typed
