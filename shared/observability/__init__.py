"""What operators see of a running service: traces, metrics on the admin port, dead letters."""
