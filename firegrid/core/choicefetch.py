"""Model choice fields read their choices in one query (installed by CoreConfig.ready).

Django's `ModelChoiceIterator` walks its queryset with `.iterator()`, which on PostgreSQL is a
server-side cursor: DECLARE … CURSOR WITH HOLD (PostgreSQL materialises the result to hold it past the
commit), then FETCH and CLOSE — three round trips and a materialisation for a dozen hazard categories or
a street's inspectors. A select widget keeps every choice it renders anyway, so the cursor saves no
memory here; one plain query gives the same choices with one round trip. Under the production load test
~20 such cursors a second were opened by the hazard list's filters, a case page, the report form and
the start-patrol page (bench/README.md, production load test, round six).

`ModelChoiceIterator.__iter__` itself is replaced, so the iterators that extend it (django-filter's,
which adds its null choice around Django's) read their choices the same way. The big exports keep their
server-side cursors: only form choices change.
"""

from django.forms.models import ModelChoiceIterator

_django_iter = ModelChoiceIterator.__iter__


def fetching_iter(self):
    """Django's ModelChoiceIterator.__iter__, with the queryset read by one plain query (all(): a fresh
    copy every time, as iterator() reads afresh, and the field's queryset keeps no result cache)."""
    if self.field.empty_label is not None:
        yield ("", self.field.empty_label)
    for obj in self.queryset.all():
        yield self.choice(obj)


def install():
    if ModelChoiceIterator.__iter__ is _django_iter:
        ModelChoiceIterator.__iter__ = fetching_iter
