"""The address participants open on their own devices: never ``localhost``.

A facilitator who opens the app on the laptop at ``http://localhost:8501`` would otherwise
hand the room an address that points at each participant's own phone. :func:`join_address`
takes, in order: the address the facilitator sets (or ``POLICYMIX_PUBLIC_URL``), the page's
own address when another device could reach it, else the same port on this machine's address
on the local network (:func:`lan_address`). The code alone (``?ws=CODE``) is the last resort.

:func:`client_key` says which client a join comes from, for the per-client join limit.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

__all__ = ["LOCAL_HOSTS", "client_key", "is_local", "join_address", "lan_address"]

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", ""})


def is_local(host: str) -> bool:
    """Whether ``host`` only means "this device" (loopback or unspecified)."""
    host = host.strip("[]").lower()
    if host in LOCAL_HOSTS or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


def lan_address() -> str | None:
    """This machine's address on the local network (no packet is sent), or None."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            ip = s.getsockname()[0]
    except OSError:
        return None
    return None if is_local(ip) else ip


def join_address(code: str, page_url: str = "", public_base: str = "",
                 lan: str | None = None) -> str:
    """The full join address for workshop ``code``.

    ``public_base``: the address the facilitator set (``http://10.0.0.5:8501`` or a domain);
    ``page_url``: the address the facilitator's browser shows; ``lan``: this machine's local
    network address (looked up when None)."""
    base = public_base.strip().rstrip("/")
    if base:
        if "://" not in base:
            base = f"http://{base}"
        parts = urlsplit(base)
        return f"{parts.scheme}://{parts.netloc}{parts.path}/?ws={code}"
    if page_url:
        parts = urlsplit(page_url)
        host = parts.hostname or ""
        if not is_local(host):
            return f"{parts.scheme}://{parts.netloc}/?ws={code}"
        ip = lan if lan is not None else lan_address()
        if ip:
            port = f":{parts.port}" if parts.port else ""
            return f"{parts.scheme or 'http'}://{ip}{port}/?ws={code}"
    return f"?ws={code}"


IPV6_PREFIX = 64
"""One IPv6 client usually holds a whole /64 (a home or a phone gets one): count it as one."""


def client_key(remote_ip: str | None, forwarded_for: str | None, browser_session: str,
               trust_proxy: bool = False) -> str:
    """Who is joining, as honestly as the server can tell.

    Behind a proxy the operator trusts (``trust_proxy``), the *last* address in
    ``X-Forwarded-For`` (the one that proxy appended; anything to its left the client could
    have typed). Otherwise the address of the connection itself (Streamlit's
    ``st.context.ip_address``), IPv6 counted by its /64. With neither (the app opened on
    ``localhost``), the browser session, which a script can renew at will: on a laptop the
    per-workshop limit is the one that holds.
    """
    chosen = None
    if trust_proxy and forwarded_for:
        chosen = forwarded_for.split(",")[-1].strip() or None
    chosen = chosen or remote_ip
    if not chosen:
        return f"session:{browser_session}"
    try:
        ip = ipaddress.ip_address(chosen.strip("[]"))
    except ValueError:
        return f"address:{chosen[:100]}"
    if ip.version == 6:
        return f"ip:{ipaddress.ip_network(f'{ip}/{IPV6_PREFIX}', strict=False)}"
    return f"ip:{ip}"
