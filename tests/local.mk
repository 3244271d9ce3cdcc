# tests: unit tests (GLib test framework, TAP) and integration tests (bats).
