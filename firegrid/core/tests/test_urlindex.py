"""IndexedURLResolver (firegrid/core/urlindex.py) resolves exactly as Django's URLResolver would.

The project's urlconf is compared against two plain copies of it built here from the same pattern objects:
`twin` (every resolver a plain django URLResolver, same nesting) for the whole ResolverMatch including
`tried`, and `flat` (the empty-route groups spliced back into their parent: firegrid/urls.py as it was
before the index) for what a view sees and for reverse().
"""

import re
import uuid
from re import _constants as sre
from re import _parser as sre_parse

import pytest
from django.http import HttpResponse
from django.urls import NoReverseMatch, Resolver404, get_resolver, include, path, re_path, reverse
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter, UUIDConverter
from django.urls.resolvers import RegexPattern, RoutePattern, URLPattern, URLResolver

from firegrid import urls as project_urls
from firegrid.core import urlindex
from firegrid.core.urlindex import CONSUMES, EXACT, PREFIX, IndexedURLResolver, indexed_path, pattern_key

UUID = "0b6c5c3e-8f0a-4c1e-9d36-2f4b8f0d9a11"
CONVERTER_SAMPLES = {IntConverter: "1", SlugConverter: "x-1", StringConverter: "x-1", UUIDConverter: UUID}
CONVERTER_SAMPLES[PathConverter] = "a/b"
GROUP_SAMPLES = {"pk": "1", "format": "json", "code": "x-1", "path": "a/b", "token": "x-1"}


# ---- plain copies of a urlconf ------------------------------------------------------------------------


class Conf:
    """A urlconf object for get_resolver()/reverse() (hashable, unlike a list)."""

    def __init__(self, urlpatterns):
        self.urlpatterns = urlpatterns


def twin(patterns, originals):
    """The same tree with every resolver a plain URLResolver; `originals` maps id(copy) -> original."""
    out = []
    for node in patterns:
        if isinstance(node, URLResolver):
            copy = URLResolver(
                node.pattern,
                twin(node.url_patterns, originals),
                node.default_kwargs,
                app_name=node.app_name,
                namespace=node.namespace,
            )
            originals[id(copy)] = node
            out.append(copy)
        else:
            out.append(node)
    return out


def flat(patterns):
    """The tree as it was before the grouping: IndexedURLResolvers of route "" spliced into their parent."""
    out = []
    for node in patterns:
        if isinstance(node, IndexedURLResolver) and str(node.pattern) == "" and not node.namespace:
            out.extend(flat(node.url_patterns))
        elif isinstance(node, URLResolver):
            out.append(
                URLResolver(
                    node.pattern,
                    flat(node.url_patterns),
                    node.default_kwargs,
                    app_name=node.app_name,
                    namespace=node.namespace,
                )
            )
        else:
            out.append(node)
    return out


def plain_root(patterns):
    originals = {}
    return URLResolver(RegexPattern(r"^/"), twin(patterns, originals)), originals


def outcome(resolver, path_):
    try:
        return resolver.resolve(path_)
    except Resolver404 as e:
        return e


def ids(tried, originals=None):
    originals = originals or {}
    return [[id(originals.get(id(node), node)) for node in entry] for entry in tried]


def assert_same(indexed, plain, originals, path_):
    """The indexed resolver and the plain twin give the same ResolverMatch or the same Resolver404."""
    a, b = outcome(indexed, path_), outcome(plain, path_)
    assert type(a) is type(b), (path_, a, b)
    if isinstance(a, Resolver404):
        assert a.args[0].get("path") == b.args[0].get("path"), path_
        assert a.args[0].keys() == b.args[0].keys(), path_
        assert ids(a.args[0].get("tried", [])) == ids(b.args[0].get("tried", []), originals), path_
        return a
    assert a.func is b.func, path_
    assert (a.args, a.kwargs, a.url_name, a.route) == (b.args, b.kwargs, b.url_name, b.route), path_
    assert (a.app_names, a.namespaces, a.view_name) == (b.app_names, b.namespaces, b.view_name), path_
    assert (a.captured_kwargs, a.extra_kwargs) == (b.captured_kwargs, b.extra_kwargs), path_
    assert ids(a.tried) == ids(b.tried, originals), path_
    return a


def assert_same_view(a, b, path_):
    """What a view sees (everything but `tried`, whose entries differ by the group level)."""
    assert a.func is b.func, path_
    assert (a.args, a.kwargs, a.url_name, a.route) == (b.args, b.kwargs, b.url_name, b.route), path_
    assert (a.app_names, a.namespaces, a.view_name) == (b.app_names, b.namespaces, b.view_name), path_
    assert (a.captured_kwargs, a.extra_kwargs) == (b.captured_kwargs, b.extra_kwargs), path_


# ---- a concrete path for every leaf pattern -----------------------------------------------------------


def _gen(items, names):
    out = []
    for op, av in items:
        if op == sre.LITERAL:
            out.append(chr(av))
        elif op == sre.NOT_LITERAL:
            out.append("y" if chr(av) == "x" else "x")
        elif op == sre.ANY:
            out.append("x")
        elif op == sre.IN:
            out.append(_gen_in(av))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, _high, sub = av
            out.append(_gen(sub, names) * max(low, 1))
        elif op == sre.SUBPATTERN:
            group, _add, _del, sub = av
            name = names.get(group)
            out.append(GROUP_SAMPLES[name] if name in GROUP_SAMPLES else _gen(sub, names))
        elif op == sre.BRANCH:
            out.append(_gen(av[1][0], names))
        elif op == sre.CATEGORY:
            out.append(_gen_in([(op, av)]))
        elif op == sre.AT:
            pass
        else:
            raise AssertionError(f"no sample for regex op {op}")
    return "".join(out)


def _gen_in(members):
    if members and members[0][0] == sre.NEGATE:
        excluded = "".join(chr(av) for op, av in members[1:] if op == sre.LITERAL)
        return "y" if "x" in excluded else "x"
    op, av = members[0]
    if op == sre.LITERAL:
        return chr(av)
    if op == sre.RANGE:
        return chr(av[0])
    if op == sre.CATEGORY:
        return {sre.CATEGORY_DIGIT: "1", sre.CATEGORY_WORD: "a", sre.CATEGORY_SPACE: " "}.get(av, "x")
    raise AssertionError(f"no sample for class member {op}")


def sample(pattern):
    """A string the pattern matches (converters and named groups filled with the samples above)."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern)

        def fill(m):
            converter = pattern.converters[m["parameter"]]
            if type(converter) in CONVERTER_SAMPLES:
                return CONVERTER_SAMPLES[type(converter)]
            return converter.to_url("json")  # DRF's format suffix converter: ".json/"

        return re.sub(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>", fill, route)
    assert isinstance(pattern, RegexPattern), pattern
    parsed = sre_parse.parse(pattern.regex.pattern, pattern.regex.flags)
    names = {number: name for name, number in parsed.state.groupdict.items()}
    return _gen(list(parsed), names)


def leaves(patterns, chain=()):
    for node in patterns:
        if isinstance(node, URLResolver):
            yield from leaves(node.url_patterns, (*chain, node))
        else:
            yield chain, node


def concrete(chain, leaf):
    """("/" + a path the leaf matches through its chain, view name, args, kwargs to reverse it with)."""
    path_ = "".join(sample(node.pattern) for node in (*chain, leaf))
    rest, args, kwargs = path_, (), {}
    for node in chain:
        match = node.pattern.match(rest)
        assert match, (path_, node)
        rest, more_args, more_kwargs = match
        args, kwargs = args + more_args, {**kwargs, **more_kwargs}
    match = leaf.resolve(rest)
    assert match, (path_, leaf)
    kwargs = {**kwargs, **match.captured_kwargs}
    view_name = ":".join([node.namespace for node in chain if node.namespace] + [leaf.name or ""])
    return "/" + path_, view_name, (() if kwargs else args + match.args), kwargs


@pytest.fixture(scope="module")
def project():
    patterns = project_urls.urlpatterns
    plain, originals = plain_root(patterns)
    flat_conf = Conf(flat(patterns))
    return get_resolver(), plain, originals, flat_conf


def project_leaves():
    return list(leaves(project_urls.urlpatterns))


# ---- the project's urlconf ------------------------------------------------------------------------------


def test_the_groups_are_indexed_and_keep_their_patterns():
    groups = [node for node in project_urls.urlpatterns if isinstance(node, IndexedURLResolver)]
    assert [str(group.pattern) for group in groups] == ["api/v1/", ""]
    assert groups[0].url_patterns is project_urls.api_v1
    assert groups[1].url_patterns is project_urls.pages
    assert len(project_leaves()) > 800


def test_every_leaf_pattern_resolves_as_django_would(project):
    indexed, plain, originals, flat_conf = project
    flat_root = get_resolver(flat_conf)
    checked = 0
    for chain, leaf in project_leaves():
        path_, _name, _args, _kwargs = concrete(chain, leaf)
        match = assert_same(indexed, plain, originals, path_)
        assert not isinstance(match, Resolver404), path_
        assert_same_view(match, flat_root.resolve(path_), path_)
        checked += 1
    assert checked == len(project_leaves())


@pytest.mark.parametrize(
    "path_",
    [
        "/field/",
        "/field/api/today/",
        "/hazards/123/",
        "/inspections/5/form/answer/",
        "/api/v1/map/hazards/",
        "/q/ABC/",
        "/track/XYZ/",
        "/dashboard/",
        "/places/9/inspect/",
        "/api/v1/",
        "/api/v1/.json",
        "/api/v1/places/",
        "/api/v1/places.json",
        "/api/v1/places/import/",
        "/api/v1/regions.json",
        "/api/v1/ping",
        "/healthz",
        "/",
    ],
)
def test_the_load_tests_paths_and_api_roots(project, path_):
    indexed, plain, originals, _flat = project
    assert not isinstance(assert_same(indexed, plain, originals, path_), Resolver404)


@pytest.mark.parametrize(
    "path_",
    [
        "/nope/",
        "/field/nope/",
        "/api/v1/nope/",
        "/api/v1/regions/1/2/3/",
        "/api/v1/places",
        "/api/v1/.csv/x",
        "/open311/nope",
        "/hazards/abc/",
        "/places/x/inspect/",
        "/place",
        "/places",
        "/placesx/",
        "/api/v1",
        "/api",
        "/x\n/",
        "//",
        "",
    ],
)
def test_paths_that_match_nothing_give_djangos_404(project, path_):
    indexed, plain, originals, _flat = project
    error = assert_same(indexed, plain, originals, path_)
    assert isinstance(error, Resolver404), path_


def test_segments_that_prefix_other_segments(project):
    """'place' vs 'places/', 'regions' vs 'regions.json' vs 'regions/': the segment index keeps them apart."""
    indexed, plain, originals, _flat = project
    for path_ in [
        "/place/",
        "/places/",
        "/places/1/",
        "/placesx/1/",
        "/api/v1/regions/",
        "/api/v1/regions",
        "/api/v1/regions.json",
        "/api/v1/regions.json/",
        "/api/v1/regionsx/",
        "/api/v1/users/me/",
        "/api/v1/users/me.json",
        "/api/v1/users/5/",
        "/hazards/",
        "/hazard/",
        "/hazards/1",
    ]:
        assert_same(indexed, plain, originals, path_)


def test_reverse_gives_the_same_strings_as_before(project):
    _indexed, _plain, _originals, flat_conf = project
    names = 0
    for chain, leaf in project_leaves():
        if not leaf.name:
            continue
        _path, view_name, args, kwargs = concrete(chain, leaf)
        try:
            now = reverse(view_name, args=args, kwargs=kwargs)
        except NoReverseMatch:
            now = NoReverseMatch
        try:
            before = reverse(view_name, urlconf=flat_conf, args=args, kwargs=kwargs)
        except NoReverseMatch:
            before = NoReverseMatch
        assert now == before, view_name
        names += now is not NoReverseMatch
    assert names > 700


def test_the_url_checks_pass():
    assert get_resolver().check() == []


# ---- literal prefixes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "key"),
    [
        (RoutePattern("places/<int:pk>/inspect/", is_endpoint=True), ("places/", PREFIX)),
        (RoutePattern("field/api/today/", is_endpoint=True), ("field/api/today/", EXACT)),
        (RoutePattern("", is_endpoint=True), ("", EXACT)),
        (RoutePattern("", is_endpoint=False), ("", CONSUMES)),
        (RoutePattern("open311/", is_endpoint=False), ("open311/", CONSUMES)),
        (RoutePattern("places/<int:pk>/", is_endpoint=False), ("places/", PREFIX)),
        (RegexPattern(r"^regions/$", is_endpoint=True), ("regions/", EXACT)),
        (RegexPattern(r"^regions\.(?P<format>[a-z0-9]+)/?$", is_endpoint=True), ("regions.", PREFIX)),
        (RegexPattern(r"^a\-b\/c$", is_endpoint=False), ("a-b/c", PREFIX)),  # search(): "$" before "\n"
        (RegexPattern(r"^foo/", is_endpoint=True), ("foo/", CONSUMES)),
        (RegexPattern(r"^ab?c/$", is_endpoint=True), ("a", PREFIX)),
        (RegexPattern(r"^a/|^b/$", is_endpoint=True), ("", PREFIX)),
        (RegexPattern(r"foo/$", is_endpoint=True), ("", PREFIX)),
        (RegexPattern(r"(?i)^abc/$", is_endpoint=True), ("", PREFIX)),
        (RegexPattern(r"(?m)^abc/$", is_endpoint=True), ("", PREFIX)),
        (RegexPattern(r"^(?i:ab)c/$", is_endpoint=True), ("", PREFIX)),
        (RegexPattern(r"^(?:ab)c/$", is_endpoint=True), ("abc/", EXACT)),
        (RegexPattern(r"\A(?P<x>ab)c/\Z", is_endpoint=True), ("abc/", EXACT)),
    ],
)
def test_pattern_keys(pattern, key):
    assert pattern_key(pattern) == key


def test_the_drf_format_suffix_route_starts_with_a_dot():
    group = next(node for node in project_urls.urlpatterns if isinstance(node, IndexedURLResolver))
    suffix = [leaf for _chain, leaf in leaves(group.url_patterns) if str(leaf.pattern).startswith("<drf_")]
    assert suffix
    assert {pattern_key(leaf.pattern) for leaf in suffix} == {(".", PREFIX)}


# ---- small synthetic urlconfs ---------------------------------------------------------------------------


def view_a(request, **kwargs):
    return HttpResponse("a")


def view_b(request, **kwargs):
    return HttpResponse("b")


def view_c(request, **kwargs):
    return HttpResponse("c")


def shadowing_urlconf():
    return [
        path("healthz", view_c, name="healthz"),
        indexed_path(
            "",
            include(
                [
                    path("", include([path("other/", view_c, name="other")])),
                    path("", include([re_path(r"^(?P<slug>[a-z]+)/$", view_a, name="slug")])),
                    path("", include([path("fixed/", view_b, name="fixed")])),
                    re_path(r"^(?P<slug>[0-9]+)/$", view_a, name="digits"),
                    path("7/", view_b, name="seven"),
                ]
            ),
        ),
    ]


def test_an_early_regex_with_no_literal_prefix_shadows_a_later_literal_route():
    patterns = shadowing_urlconf()
    indexed = URLResolver(RegexPattern(r"^/"), patterns)
    plain, originals = plain_root(patterns)
    match = assert_same(indexed, plain, originals, "/fixed/")
    assert match.func is view_a and match.kwargs == {"slug": "fixed"}
    match = assert_same(indexed, plain, originals, "/7/")
    assert match.func is view_a and match.url_name == "digits"
    assert assert_same(indexed, plain, originals, "/other/").func is view_c


def test_an_index_that_skipped_the_shadowing_regex_would_be_caught(monkeypatch):
    """The comparison above fails for an index that wrongly gives the regexes a literal prefix."""

    def wrong(pattern):
        if isinstance(pattern, RegexPattern):
            return "zzz/", PREFIX
        return pattern_key(pattern)

    monkeypatch.setattr(urlindex, "pattern_key", wrong)
    patterns = shadowing_urlconf()
    indexed = URLResolver(RegexPattern(r"^/"), patterns)
    plain, originals = plain_root(patterns)
    assert indexed.resolve("/fixed/").func is view_b  # the wrong index picked the later literal route
    with pytest.raises(AssertionError):
        assert_same(indexed, plain, originals, "/fixed/")


def test_nested_includes_namespaces_kwargs_and_skipped_members():
    inner = [
        path("<int:pk>/", view_a, name="detail"),
        re_path(r"^(?P<pk>[0-9]+)/edit\.(?P<format>[a-z]+)$", view_b, name="edit"),
    ]
    patterns = [
        indexed_path(
            "",
            include(
                [
                    path("items/", include((inner, "items"), namespace="items")),  # skipped, walked
                    path("things/<int:owner>/", include(inner), {"extra": 1}),  # skipped by its prefix
                    path("", include([path("about/", view_c, name="about")])),  # skipped, precomputed
                    re_path(r"^free/", include([path("x/", view_c, name="free-x")])),
                    path("", include((inner, "again"), namespace="again")),
                    path("open/", view_c, name="open"),
                ]
            ),
            {"group": "g"},
        ),
    ]
    indexed = URLResolver(RegexPattern(r"^/"), patterns)
    plain, originals = plain_root(patterns)
    for path_, view_name in [
        ("/items/3/", "items:detail"),
        ("/items/3/edit.json", "items:edit"),
        ("/things/9/3/", "detail"),
        ("/about/", "about"),
        ("/free/x/", "free-x"),
        ("/3/", "again:detail"),
        ("/3/edit.csv", "again:edit"),
        ("/open/", "open"),
    ]:
        match = assert_same(indexed, plain, originals, path_)
        assert match.view_name == view_name, path_
        assert match.kwargs["group"] == "g"
    assert assert_same(indexed, plain, originals, "/things/9/3/").kwargs == {
        "group": "g",
        "extra": 1,
        "owner": 9,
        "pk": 3,
    }
    for path_ in ["/items/x/", "/things/x/3/", "/nope/", "/open", "/free/", "/3/edit.JSON"]:
        assert isinstance(assert_same(indexed, plain, originals, path_), Resolver404)


def test_unanchored_case_insensitive_and_optional_patterns_are_always_tried():
    patterns = [
        indexed_path(
            "",
            include(
                [
                    path("", include([re_path(r"foo/\Z", view_a, name="anywhere")])),
                    path("", include([re_path(r"(?i)^abc/$", view_a, name="nocase")])),
                    path("", include([re_path(r"^ab?d/$", view_a, name="optional")])),
                    path("", include([re_path(r"^x/|^y/$", view_a, name="either")])),
                    path("", include([re_path(r"(?m)^z/\Z", view_a, name="multiline")])),
                    path("<path:rest>", view_b, name="rest"),
                ]
            ),
        ),
    ]
    indexed = URLResolver(RegexPattern(r"^/"), patterns)
    plain, originals = plain_root(patterns)
    for path_, name in [
        ("/bar/foo/", "anywhere"),
        ("/ABC/", "nocase"),
        ("/ad/", "optional"),
        ("/abd/", "optional"),
        ("/y/", "either"),
        ("/x/anything", "rest"),  # an endpoint ending in "$" is matched with fullmatch()
        ("/q\nz/", "multiline"),
        ("/other", "rest"),
    ]:
        assert assert_same(indexed, plain, originals, path_).url_name == name, path_


def test_a_pattern_this_module_does_not_know_is_always_tried():
    class Custom(URLPattern):
        def resolve(self, path_):
            return super().resolve(path_.lower())

    patterns = [
        indexed_path(
            "",
            include(
                [
                    path("", include([Custom(RoutePattern("up/", is_endpoint=True), view_a, name="up")])),
                    path("UP/", view_b, name="literal"),
                ]
            ),
        ),
    ]
    indexed = URLResolver(RegexPattern(r"^/"), patterns)
    plain, originals = plain_root(patterns)
    assert assert_same(indexed, plain, originals, "/UP/").func is view_a


def test_a_uuid_and_a_path_converter():
    patterns = [
        indexed_path(
            "",
            include(
                [
                    path("", include([path("u/<uuid:pk>/", view_a, name="u")])),
                    path("", include([path("p/<path:rest>", view_b, name="p")])),
                ]
            ),
        ),
    ]
    indexed = URLResolver(RegexPattern(r"^/"), patterns)
    plain, originals = plain_root(patterns)
    assert assert_same(indexed, plain, originals, f"/u/{UUID}/").kwargs == {"pk": uuid.UUID(UUID)}
    assert assert_same(indexed, plain, originals, "/p/a/b").kwargs == {"rest": "a/b"}
    assert isinstance(assert_same(indexed, plain, originals, "/u/nope/"), Resolver404)
