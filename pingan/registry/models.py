"""实有人口 and households: the part of the 9+X data the foundation needs.

Every row carries the materialised path of its grid, so "my subtree" is one
indexed prefix match.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pingan.regions.fields import PathField


class Household(models.Model):
    grid = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="households")
    region_path = PathField()
    number = models.CharField("户号", max_length=32, unique=True)
    address = models.CharField(max_length=200)
    village_group = models.CharField("自然村/小区", max_length=100, blank=True)
    lng = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["region_path", "id"], name="household_path"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.address}"


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Person(models.Model):
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    grid = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="people")
    region_path = PathField()
    name = models.CharField(max_length=50)
    gender = models.CharField(max_length=1, choices=Gender.choices)
    birth_date = models.DateField()
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    relation_to_head = models.CharField("与户主关系", max_length=20, blank=True)
    id_number_encrypted = models.TextField()
    id_number_hash = models.CharField(max_length=64, unique=True)
    id_number_masked = models.CharField(max_length=18)
    phone = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["region_path", "id"],
                name="person_path",
            ),
            models.Index(fields=["name"], name="person_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.id_number_masked}"
