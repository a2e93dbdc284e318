"""List pages: one way to paginate (page sizes the user may pick) and to keep the filters in the page links."""

from django.core.paginator import Paginator

PAGE_SIZES = (10, 20, 50, 100)


def paginate(request, queryset, default=20):
    try:
        size = int(request.GET.get("size", default))
    except ValueError:
        size = default
    size = size if size in PAGE_SIZES else default
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def filter_query(request) -> str:
    """The current filters as a query string without the page number, for pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
