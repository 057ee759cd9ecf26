"""gunicorn settings file for the benchmarks, which give gunicorn its other settings on the command
line: the post_worker_init hook of deploy/gunicorn.conf.py (gc.freeze once the app is loaded), so the
figures are those of the production configuration in that respect."""


def post_worker_init(worker):
    import gc

    gc.collect()
    gc.freeze()
