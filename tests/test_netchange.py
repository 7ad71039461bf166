"""A new network is noticed: the fingerprint of the routes and addresses changes when
they do and only then. Linux's reader on a fake /proc/net tree in the kernel's formats
(the rows below are this format as ``/proc/net/route`` and ``/proc/net/if_inet6``
print it); the portable reader (macOS, Windows) runs here on the real machine."""

from __future__ import annotations

from pathlib import Path

from trayapp.edges import netchange

HEADER = ("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\t"
          "Window\tIRTT\n")
WIFI = ("wlp2s0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
        "wlp2s0\t0001A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0\n")
TETHER = ("enx0a1b\t00000000\t012BA8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
          "enx0a1b\t002BA8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n")
VPN = "tun0\t0000080A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
V6 = "fe80000000000000021122fffe334455 02 40 20 80   wlp2s0\n"


def proc(root: Path, routes: str, v6: str = V6) -> Path:
    root.mkdir(exist_ok=True)
    (root / "route").write_text(HEADER + routes)
    (root / "if_inet6").write_text(v6)
    return root


def test_the_same_network_gives_the_same_fingerprint(tmp_path: Path) -> None:
    root = proc(tmp_path / "net", WIFI)
    first = netchange.fingerprint("linux", root=root)
    assert first and netchange.fingerprint("linux", root=root) == first


def test_wifi_to_tethering_a_vpn_and_a_new_address_each_change_it(tmp_path: Path) -> None:
    root = tmp_path / "net"
    seen = set()
    for routes, v6 in ((WIFI, V6), (TETHER, V6), (TETHER + VPN, V6), (TETHER + VPN, ""),
                       ("", "")):
        seen.add(netchange.fingerprint("linux", root=proc(root, routes, v6)))
    assert len(seen) == 5


def test_unreadable_files_are_a_state_not_an_error(tmp_path: Path) -> None:
    root = proc(tmp_path / "net", WIFI)
    (root / "if_inet6").unlink()
    assert netchange.fingerprint("linux", root=root) != ""


def test_the_portable_reader_runs_on_this_machine_and_is_stable() -> None:
    first = netchange.fingerprint("darwin")
    assert first and netchange.fingerprint("win32") == first
