from django.contrib import admin

from pingan.audit.admin import JournaledAdmin
from pingan.registry.models import Household, Person


@admin.register(Household)
class HouseholdAdmin(JournaledAdmin):
    list_display = ["number", "address", "village_group", "grid"]
    search_fields = ["number"]
    raw_id_fields = ["grid"]
    show_full_result_count = False


@admin.register(Person)
class PersonAdmin(JournaledAdmin):
    list_display = ["name", "id_number_masked", "gender", "birth_date", "grid"]
    search_fields = ["name"]
    raw_id_fields = ["grid", "household"]
    exclude = ["id_number_encrypted", "id_number_hash"]
    show_full_result_count = False
