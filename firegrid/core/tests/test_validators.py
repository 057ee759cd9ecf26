import pytest
from django.core.exceptions import ValidationError

from firegrid.core.validators import credit_code_check_char, validate_credit_code


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L"])
def test_published_credit_codes_pass(code):
    validate_credit_code(code)


@pytest.mark.parametrize(
    "code", ["91350100M000100Y44", "91350100M000100Y4", "91350100M0001O0Y43", "", "9135010OM000100Y43"]
)
def test_bad_credit_codes_fail(code):
    with pytest.raises(ValidationError):
        validate_credit_code(code)


def test_check_char_of_all_zero_body():
    assert credit_code_check_char("0" * 17) == "0"
