from trayapp.domain.levels import Level, worst


def test_order() -> None:
    order = [Level.OPERATIONAL, Level.MAINTENANCE, Level.DEGRADED,
             Level.PARTIAL_OUTAGE, Level.MAJOR_OUTAGE]
    assert sorted(reversed(order), key=lambda lv: lv.rank) == order


def test_unknown_never_hides_a_known_level() -> None:
    assert worst([Level.UNKNOWN, Level.OPERATIONAL]) is Level.OPERATIONAL
    assert worst([Level.DEGRADED, Level.UNKNOWN]) is Level.DEGRADED
    assert worst([Level.UNKNOWN]) is Level.UNKNOWN
    assert worst([]) is Level.UNKNOWN
    assert not Level.UNKNOWN.is_problem
