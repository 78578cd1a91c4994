from django.contrib.auth.backends import ModelBackend

from pingan.accounts.models import User


class StaffBackend(ModelBackend):
    """Loads the user's node and department with the user: every request's access
    check needs them."""

    def get_user(self, user_id):
        user = (
            User.objects.select_related("region", "department__region")
            # A grid's polygon is kilobytes of JSON; the access checks need only the path.
            .defer("region__boundary", "department__region__boundary")
            .filter(pk=user_id)
            .first()
        )
        return user if user and self.user_can_authenticate(user) else None
