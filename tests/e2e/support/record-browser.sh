#!/bin/sh
# Stands in for the system browser (the wallet runs `$BROWSER <url>`): appends the URL it is
# asked to open to $IBEX_BROWSER_LOG, where a test picks it up and opens it in Chromium.
printf '%s\n' "$1" >> "$IBEX_BROWSER_LOG"
