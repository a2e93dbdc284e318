"""The one way in to every record: `visible_to(user, action="view")`.

Every model family's queryset derives from ScopedQuerySet and says, per role, which rows a user of that role may
see (`for_<role>`), and, per action beyond reading, which roles may take it (`actions`) and, where the record's
state matters, on which rows (`when_<action>`): a report is reviewed only once submitted, edited only while a draft
or returned. `visible_to(user, "review")` is then the rows the user may review. Views, forms, exports, the admin and
the pages' can_* flags all start from it; nothing else narrows records to a user (as NetBox's
`restrict(user, action)`). Anonymous and inactive users see nothing; a role a queryset does not mention sees nothing.
"""

from django.db import models

# The roles that reach records, each through its own method (the role values of accounts.models.Role; the kernel
# names them without importing the accounts app above it). The administrator reaches none: accounts, not case data.
SCOPED_ROLES = ("bureau", "street", "contractor", "municipal", "auditor")


VIEW = "view"


class ScopedQuerySet(models.QuerySet):
    # action -> the roles that may take it on the rows they see ("view" is every role with a scope). A model family
    # lists its actions; an action it does not list is no one's.
    actions: dict[str, frozenset[str]] = {}

    def visible_to(self, user, action: str = VIEW) -> "ScopedQuerySet":
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role not in SCOPED_ROLES:
            return self.none()
        if action != VIEW and not self.may(user, action):
            return self.none()
        rows = getattr(self, f"for_{user.role}")(user)
        narrow = getattr(rows, f"when_{action}", None)
        return narrow(user) if narrow is not None else rows

    def may(self, user, action: str) -> bool:
        """Whether the user's role may take `action` on this kind of record at all (a 403 when not)."""
        if action == VIEW:
            return getattr(user, "role", None) in SCOPED_ROLES
        return getattr(user, "role", None) in self.actions.get(action, ())

    # Each model family overrides the roles that may see it; the default is nothing.
    def for_bureau(self, user) -> "ScopedQuerySet":
        return self.none()

    def for_street(self, user) -> "ScopedQuerySet":
        return self.none()

    def for_contractor(self, user) -> "ScopedQuerySet":
        return self.none()

    def for_municipal(self, user) -> "ScopedQuerySet":
        return self.none()

    def for_auditor(self, user) -> "ScopedQuerySet":
        return self.none()  # the auditor reads the audit log only


class ChildScopedQuerySet(ScopedQuerySet):
    """Rows that belong to a parent record are visible exactly when their parent is.

    `parent_field` names the foreign key to the parent, whose own visible_to decides. A
    subclass overrides a role's method where that role reaches the rows another way.
    """

    parent_field: str = ""

    def _via_parent(self, user) -> "ScopedQuerySet":
        parent_model = self.model._meta.get_field(self.parent_field).related_model
        visible_parents = parent_model.objects.visible_to(user).values("pk")
        return self.filter(**{f"{self.parent_field}__in": visible_parents})

    def for_bureau(self, user) -> "ScopedQuerySet":
        return self._via_parent(user)

    def for_street(self, user) -> "ScopedQuerySet":
        return self._via_parent(user)

    def for_contractor(self, user) -> "ScopedQuerySet":
        return self._via_parent(user)

    def for_municipal(self, user) -> "ScopedQuerySet":
        return self._via_parent(user)
