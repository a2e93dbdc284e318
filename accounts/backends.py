"""Who may sign in with a password: a person's active account, never a machine account of the read API (its token
is its only way in, even if someone gave it a password)."""

from django.contrib.auth.backends import ModelBackend


class PersonBackend(ModelBackend):
    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not getattr(user, "is_machine", False)
