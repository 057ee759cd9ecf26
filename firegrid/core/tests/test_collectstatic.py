"""Production serves static files through whitenoise's manifest storage: collectstatic must succeed
(a vendored file that names a missing source map fails it)."""

from django.core.management import call_command


def test_collectstatic_with_the_production_storage(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert (
        "vendor/leaflet-1.9.4/leaflet.js" in manifest
        and "vendor/echarts-6.1.0/echarts.simple.min.js" in manifest
    )
    assert list((tmp_path / "static" / "vendor" / "leaflet-1.9.4").glob("leaflet.*.js.gz"))
