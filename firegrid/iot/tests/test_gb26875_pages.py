"""The GB/T 26875 hex decoder: the staff page and `firegrid gb26875 decode`; registering an address."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from firegrid.iot.gb26875.models import TransmissionDevice
from firegrid.iot.gb26875.store import pipeline_key

from .test_gb26875_codec import SAMPLE_FIRE

URL = "/iot/gb26875/decode/"


def test_the_decoder_page_shows_every_field_to_staff(client, world):
    client.force_login(world.grid_worker_a)
    response = client.post(URL, {"hex": SAMPLE_FIRE + " 00 ff"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "smoke detector (感烟火灾探测器)" in body and "fire alarm (火警)" in body
    assert "790300000000 (= 889)" in body and "bytes outside any frame" in body
    response = client.get(URL, {"hex": "40 4"})
    assert "odd number of hex digits" in response.content.decode()


def test_the_decoder_page_needs_a_login_and_a_staff_role(client, world):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(world.unit_owner)
    assert client.get(URL).status_code == 403


def test_the_decode_command():
    out = io.StringIO()
    call_command("gb26875", "decode", SAMPLE_FIRE, stdout=out)
    assert "component run status" in out.getvalue() and "checksum: correct" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("gb26875", "decode", "xyz")


def test_register_binds_an_address_to_a_new_panel_at_a_place(world):
    out = io.StringIO()
    call_command(
        "gb26875", "register", "--address", "a1 00 00 00 00 02", "--place", world.shop_a.code, stdout=out
    )
    binding = TransmissionDevice.objects.select_related("device").get()
    assert binding.address == "A10000000002" and binding.device.kind == "alarm_panel"
    assert binding.device.place == world.shop_a and binding.device.check_key(pipeline_key("A10000000002"))
    with pytest.raises(CommandError, match="registered already"):
        call_command("gb26875", "register", "--address", "A10000000002", "--place", world.shop_a.code)
    with pytest.raises(CommandError):
        call_command("gb26875", "register", "--address", "A1", "--place", world.shop_a.code)
