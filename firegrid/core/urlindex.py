"""URL resolution that only tries the patterns that can match (issue 12, production load test).

firegrid/urls.py mounts ~20 apps with `path("", include(...))` and the API ~11 more: ~900 patterns. Django's
`URLResolver.resolve` tries them in order; every include that fails raises Resolver404 and builds its
`tried` list, so a request for /field/api/today/ walks a few hundred patterns first (~4 % of the web
workers' Python time under load).

`IndexedURLResolver` is a `URLResolver` whose `url_patterns` are exactly those of the include it replaces
(so reverse(), namespaces, app names, the admin, drf-spectacular and `show_urls`-style walks see no
difference). Only `resolve()` is different, and it returns exactly what Django's would:

- Once per resolver, every sub-pattern (a "member") gets the literal prefixes its leaf patterns need:
  the text every path they match must start with, read from the compiled regex (Django builds one for
  `path()` routes too: `^places/(?P<pk>[0-9]+)/\\Z`). A literal after `^` counts, so do the literal
  starts of groups (DRF's format suffix converter: `\\.[a-z0-9]+/?` gives "."); anything else (a class,
  a repeat, an alternation, inline flags such as (?i) or (?m), a lazily translated route, a pattern type
  this module does not know) ends the prefix, and an empty prefix means "always try". A pattern that is
  nothing but `^literal\\Z` (or an endpoint `^literal$`, matched with fullmatch) matches that one path.
  A nested include whose own pattern is wholly literal passes its text on to its children's prefixes.
- At request time the first path segment (up to and including the first "/") picks, from a memo, the
  members that can match it; they are tried in Django's order with Django's own `resolve`, first match
  wins. The members skipped before it add to `tried` exactly what Django's failing walk would have added
  (precomputed when the member's nested includes are all `path("", ...)`, else walked without trying
  the leaves), so `ResolverMatch.tried` is Django's too.
- When nothing matches, Django's full `resolve` runs, so the Resolver404 (and DEBUG's 404 page) is
  Django's, and an index that missed a match would still be corrected here.

`indexed_path(route, include(...))` builds one, like `path(route, include(...))`.
"""

import re

from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, ResolverMatch, RoutePattern, URLPattern, URLResolver

try:  # the regex parser Python's `re` uses (Python 3.11+); without it every pattern is simply tried
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover
    _sre = _sre_parse = None

EXACT = "exact"  # the pattern matches the one path equal to its literal
CONSUMES = "consumes"  # the pattern matches every path starting with its literal and consumes just that
PREFIX = "prefix"  # every path it matches starts with its literal; nothing more is known

_STATIC, _DYNAMIC, _TRY = 0, 1, 2  # plan steps: precomputed tried entries / walk a skipped member / try
_PLAN_MEMO_LIMIT = 2048  # first segments memoized beyond the ones the urlconf names (paths are user input)


def _literal_run(items):
    """(literal text, complete) of a parsed regex sequence: literals, and the literal starts of groups."""
    chars = []
    for op, av in items:
        if op == _sre.LITERAL:
            chars.append(chr(av))
            continue
        if op == _sre.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                return "".join(chars), False
            text, complete = _literal_run(sub)
            chars.append(text)
            if complete:
                continue
        return "".join(chars), False
    return "".join(chars), True


def pattern_key(pattern):
    """(literal, kind) of a RoutePattern or RegexPattern; ("", PREFIX) for anything not understood."""
    if _sre_parse is None or type(pattern) not in (RoutePattern, RegexPattern):
        return "", PREFIX
    source = pattern._route if type(pattern) is RoutePattern else pattern._regex
    if not isinstance(source, str):  # lazily translated: its regex depends on the active language
        return "", PREFIX
    regex = pattern.regex
    try:
        parsed = _sre_parse.parse(regex.pattern, regex.flags)
    except Exception:  # noqa: BLE001 - anything the parser does not take: always try the pattern
        return "", PREFIX
    if (regex.flags | parsed.state.flags) & (re.IGNORECASE | re.MULTILINE):
        return "", PREFIX
    items = list(parsed)
    if not items or items[0] not in ((_sre.AT, _sre.AT_BEGINNING), (_sre.AT, _sre.AT_BEGINNING_STRING)):
        return "", PREFIX  # not anchored (search() may match anywhere) or a top-level alternation
    items = items[1:]
    end = None
    if items and items[-1][0] == _sre.AT and items[-1][1] in (_sre.AT_END, _sre.AT_END_STRING):
        end = items.pop()[1]
    literal, complete = _literal_run(items)
    if not complete:
        return literal, PREFIX
    endpoint = pattern._is_endpoint
    if endpoint and (
        end == _sre.AT_END_STRING
        or (end == _sre.AT_END and type(pattern) is RegexPattern and regex.pattern.endswith("$"))
    ):
        return literal, EXACT
    if end is None and not (type(pattern) is RoutePattern and pattern.converters):
        # matched with search() at the start: every path starting with the literal, consuming just it
        # (a route's converter could still refuse its value, so a route with converters never counts)
        return literal, CONSUMES
    return literal, PREFIX


def _transparent(pattern):
    """Matches every path, consumes nothing and captures nothing that could refuse: path("", ...)."""
    return pattern_key(pattern) == ("", CONSUMES)


def _known(node):
    return type(node) is URLPattern or isinstance(node, URLResolver) and type(node).resolve in _RESOLVES


class _Opaque(Exception):
    """A node whose resolve() this module cannot foresee: its member is always tried."""


def _leaf_keys(node, acc, out):
    """Append (prefix, exact) for every way `node` can match a path, `acc` being the text before it."""
    if not _known(node):
        raise _Opaque
    literal, kind = pattern_key(node.pattern)
    if isinstance(node, URLResolver):
        if kind == CONSUMES:
            for child in node.url_patterns:
                _leaf_keys(child, acc + literal, out)
        else:
            _check_known(node)
            out.append((acc + literal, False))
    else:
        out.append((acc + literal, kind == EXACT))


def _check_known(resolver):
    for child in resolver.url_patterns:
        if not _known(child):
            raise _Opaque
        if isinstance(child, URLResolver):
            _check_known(child)


def _is_static(node):
    """True when the tried entries of a failing `node` do not depend on the path."""
    if not isinstance(node, URLResolver):
        return True
    return _transparent(node.pattern) and all(_is_static(child) for child in node.url_patterns)


def fail_entries(node, path):
    """What Django's walk adds to `tried` for `node` (a known URLPattern/URLResolver) when it fails on
    `path`: [[node]] when its own pattern does not match, else [node, *entry] per entry of its children."""
    if not isinstance(node, URLResolver):
        return [[node]]
    match = node.pattern.match(path)
    if not match:
        return [[node]]
    rest = match[0]
    out = []
    for child in node.url_patterns:
        out.extend([node, *entry] for entry in fail_entries(child, rest))
    return out


def _segment(path):
    slash = path.find("/")
    return path if slash < 0 else path[: slash + 1]


class _Index:
    def __init__(self, members):
        self.members = members
        self.fails = []  # per member: its precomputed tried entries, or None (walked when skipped)
        self.buckets = {}  # first segment -> member numbers whose prefixes need that segment
        self.wild = []  # (prefix without "/", member number): every segment starting with the prefix
        for number, member in enumerate(members):
            keys = []
            try:
                _leaf_keys(member, "", keys)
            except _Opaque:
                keys = [("", False)]  # always a candidate, so never skipped
                self.fails.append(False)
            else:
                self.fails.append(fail_entries(member, "") if _is_static(member) else None)
            for prefix, exact in keys:
                if exact or "/" in prefix:
                    self.buckets.setdefault(_segment(prefix), set()).add(number)
                else:
                    self.wild.append((prefix, number))
        self.plans = {}

    def plan(self, segment):
        plan = self.plans.get(segment)
        if plan is None:
            plan = self._plan(segment)
            if segment in self.buckets or len(self.plans) < _PLAN_MEMO_LIMIT:
                self.plans[segment] = plan
        return plan

    def _plan(self, segment):
        candidates = set(self.buckets.get(segment, ()))
        candidates.update(number for prefix, number in self.wild if segment.startswith(prefix))
        steps, static = [], []
        last = max(candidates, default=-1)
        for number, member in enumerate(self.members):
            if number > last:
                break  # past the last candidate nothing matches: Django's full resolve answers
            if number in candidates:
                if static:
                    steps.append((_STATIC, static))
                    static = []
                steps.append((_TRY, member))
            elif self.fails[number] is None:
                if static:
                    steps.append((_STATIC, static))
                    static = []
                steps.append((_DYNAMIC, member))
            else:
                static.extend(self.fails[number])
        return tuple(steps)


class IndexedURLResolver(URLResolver):
    """A URLResolver that skips the sub-patterns a path cannot match; same ResolverMatch as Django's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._index = None

    def _get_index(self):
        index = self._index
        if index is None:
            index = self._index = _Index(list(self.url_patterns))
        return index

    def resolve(self, path):
        path = str(path)  # path may be a reverse_lazy object
        match = self.pattern.match(path)
        if not match:
            return super().resolve(path)
        new_path, args, kwargs = match
        tried = []
        for step, item in self._get_index().plan(_segment(new_path)):
            if step == _STATIC:
                tried += item
                continue
            if step == _DYNAMIC:
                tried += fail_entries(item, new_path)
                continue
            pattern = item
            # from here on, Django's URLResolver.resolve (5.2) for one sub-pattern, unchanged
            try:
                sub_match = pattern.resolve(new_path)
            except Resolver404 as e:
                self._extend_tried(tried, pattern, e.args[0].get("tried"))
            else:
                if sub_match:
                    sub_match_dict = {**kwargs, **self.default_kwargs}
                    sub_match_dict.update(sub_match.kwargs)
                    sub_match_args = sub_match.args
                    if not sub_match_dict:
                        sub_match_args = args + sub_match.args
                    current_route = "" if isinstance(pattern, URLPattern) else str(pattern.pattern)
                    self._extend_tried(tried, pattern, sub_match.tried)
                    return ResolverMatch(
                        sub_match.func,
                        sub_match_args,
                        sub_match_dict,
                        sub_match.url_name,
                        [self.app_name] + sub_match.app_names,
                        [self.namespace] + sub_match.namespaces,
                        self._join_route(current_route, sub_match.route),
                        tried,
                        captured_kwargs=sub_match.captured_kwargs,
                        extra_kwargs={**self.default_kwargs, **sub_match.extra_kwargs},
                    )
                tried.append([pattern])
        # nothing the index picked matched: Django's own walk gives the Resolver404 (or, were the index
        # ever wrong, the match)
        return super().resolve(path)


_RESOLVES = (URLResolver.resolve, IndexedURLResolver.resolve)


def indexed_path(route, view, kwargs=None):
    """`path(route, include(...))`, resolved through an IndexedURLResolver."""
    if kwargs is not None and not isinstance(kwargs, dict):
        raise TypeError(f"kwargs argument must be a dict, but got {kwargs.__class__.__name__}.")
    urlconf_module, app_name, namespace = view
    return IndexedURLResolver(
        RoutePattern(route, is_endpoint=False), urlconf_module, kwargs, app_name=app_name, namespace=namespace
    )
