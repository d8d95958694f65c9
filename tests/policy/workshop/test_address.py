"""The join address works from other devices: never localhost."""

from __future__ import annotations

from policy.workshop import join_address
from policy.workshop.address import is_local


def test_localhost_becomes_the_lan_address_with_the_same_port() -> None:
    url = join_address("ABC123", "http://localhost:8501/workshop?sid=x", lan="192.168.1.20")
    assert url == "http://192.168.1.20:8501/?ws=ABC123"


def test_a_reachable_page_address_is_kept_without_its_path_or_session() -> None:
    url = join_address("ABC123", "https://strategy.example.org/workshop?sid=x&key=y")
    assert url == "https://strategy.example.org/?ws=ABC123"


def test_the_facilitators_address_wins() -> None:
    assert join_address("ABC123", "http://localhost:8501", "10.0.0.5:8501/", lan="1.2.3.4") \
        == "http://10.0.0.5:8501/?ws=ABC123"


def test_no_network_address_falls_back_to_the_code() -> None:
    assert join_address("ABC123", "http://127.0.0.1:8501", lan="") == "?ws=ABC123"
    assert is_local("::1") and is_local("0.0.0.0") and not is_local("192.168.1.20")
