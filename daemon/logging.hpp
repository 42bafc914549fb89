#pragma once
// Logging for the daemon and its commands: one stderr logger. Under systemd (JOURNAL_STREAM names our
// stderr) each line carries an sd-daemon "<N>" priority prefix and no timestamp, since the journal adds
// its own; elsewhere lines are readable with timestamps.
#include <string>

namespace newswatch {

// level: trace | debug | info | warn | error. Safe to call again (a reload may change the level).
void setup_logging(const std::string& level);

// True when stderr is connected to the systemd journal.
bool stderr_is_journal();

}  // namespace newswatch
