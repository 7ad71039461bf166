"""Pure decisions: feed + probe + connectivity -> a level per service, events and what
to notify. No I/O, no clock (``now`` is passed in), no GUI or network library."""
