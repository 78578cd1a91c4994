"""Cached categories and departments are dropped when edited, so with a shared
cache (Redis) an edit on one app server reaches intake on every other at once."""

import pytest

from pingan.accounts.models import Department
from pingan.events.intake import category_for
from pingan.events.models import Category
from pingan.events.routing import default_department
from pingan.events.services import EventError


def test_a_category_switched_off_is_refused_at_once(tree, departments):
    assert category_for("CG01").code == "CG01"  # now cached
    category = Category.objects.get(code="CG01")
    category.active = False
    category.save()
    with pytest.raises(EventError, match="未知的事件类别"):
        category_for("CG01")


def test_a_new_department_serves_at_once(tree, departments):
    category = Category.objects.get(code="CG01")
    kind = category.department_kind
    before = default_department(category, tree.grid_a1_1)  # now cached
    nearer = Department.objects.create(
        code="near", name="更近的部门", kind=kind, region=tree.grid_a1_1.parent
    )
    assert default_department(category, tree.grid_a1_1) == nearer != before
