"""A faster hash for Django's column references, the one hot spot of its SQL compiler we can take out
safely (installed by CoreConfig.ready).

Every ordered query hashes each selected column (`SQLCompiler._order_by_pairs` builds a dict keyed by
the select's expressions), and `Expression.identity`, which the hash is made of, binds the constructor's
arguments through `inspect.Signature.bind_partial` — for a case or a place, 30–45 columns a query. Under
the production load test that was ~2.5 % of all web CPU (bench/README.md, production load test, run 5).
`Col` is built with positional (alias, target[, output_field]), so its identity is computed here directly,
to the same tuple Django's generic code gives (firegrid/core/tests/test_ormspeed.py checks it for every
column of every model, also after relabelling); anything else goes the generic way.
"""

from django.db.models.expressions import Col, Expression
from django.utils.functional import cached_property

_generic = Expression.__dict__["identity"].func


def col_identity(col):
    args, kwargs = col._constructor_args
    if kwargs or type(col) is not Col or not 2 <= len(args) <= 3:
        return _generic(col)
    alias, target = args[0], args[1]
    output_field = args[2] if len(args) == 3 else None
    ident = Expression._identity
    return (
        Col,
        ("alias", ident(alias)),
        ("target", ident(target)),
        ("output_field", ident(output_field)),
    )


def install():
    if "identity" in Col.__dict__:
        return
    prop = cached_property(col_identity)
    prop.__set_name__(Col, "identity")
    Col.identity = prop
