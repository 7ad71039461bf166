"""The vocabulary every layer speaks: levels, the normalized model, fetch outcomes,
untrusted-text hygiene and the safe-link rule. Imports nothing else of trayapp."""
