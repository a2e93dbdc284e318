"""`field__any=[ids]`: membership in a list of ids, passed to PostgreSQL as one array (`= ANY(%s)`).

A district's scope reaches the compliance checks as up to 2,000 station ids (stations.selectors.pinned), and every
check's query carries them. As `IN (%s, %s, ...)` each query has thousands of parameters, which the driver splits
and binds one by one - at 40,000 stations this was a tenth of the engine's time (bench/run.py). As one array it is a
single parameter, and the planner still sizes it. Other databases get the plain `IN` list.
"""

from django.db.models import ForeignKey, IntegerField, Lookup


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [int(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = self.rhs
        if connection.vendor == "postgresql":
            # The array as its text form: the driver would otherwise inspect and dump every element.
            return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, "{" + ",".join(map(str, values)) + "}"]
        if not values:
            # Unlike `__in=[]`, the query still runs: a page's query count does not depend on its data.
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


def register() -> None:
    IntegerField.register_lookup(AnyOf)
    ForeignKey.register_lookup(AnyOf)
