"""Progress of a long write (an xlsx ledger built in the background): rows counted as they are written,
reported to a callback `progress(done, total)` every few rows, so a page can show how far it got.

The synchronous downloads pass no callback and pay nothing: no count query, no calls."""

PROGRESS_EVERY = 500  # rows between two reports: one short UPDATE per report in the background export


class RowProgress:
    """Count rows and report `callback(done, total)` every `every` rows and once at the end.

    `total` is a number or a callable (a queryset's `count`), evaluated only when there is a callback."""

    def __init__(self, callback=None, total=None, every=None):
        self.callback = callback
        self.every = every or PROGRESS_EVERY
        self.done = 0
        self.total = None
        self.reported = None
        if callback is not None:
            self.total = total() if callable(total) else total
            self._report(0, self.total)

    def _report(self, done, total):
        if (done, total) != self.reported:
            self.reported = (done, total)
            self.callback(done, total)

    def step(self, rows=1):
        before = self.done
        self.done += rows
        if self.callback is not None and self.done // self.every != before // self.every:
            self._report(self.done, max(self.total or 0, self.done))

    def finish(self):
        """The last report: every row written (the total is what was written, rows may have changed)."""
        if self.callback is not None:
            self._report(self.done, self.done)
        return self.done
