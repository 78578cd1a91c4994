from django.contrib.auth.backends import ModelBackend

from pingan.accounts.models import User


class StaffBackend(ModelBackend):
    """Loads the user's node and department with the user: every request's access
    check needs them."""

    def get_user(self, user_id):
        user = (
            User.objects.select_related("region", "department__region").filter(pk=user_id).first()
        )
        return user if user and self.user_can_authenticate(user) else None
