# team-lib.sh: a team for tests that sync (sourced).  Every device that
# syncs belongs to a team whose roster a supervisor keeps; these helpers
# do what people do: read the fingerprint out, join, send a request, add.
# Needs $HOMEWARD and the passphrase descriptor in $HOMEWARD_PASSPHRASE_FD.

# team_fingerprint WS: the fingerprint a supervisor reads out.
team_fingerprint() {
	"$HOMEWARD" --workspace "$1" team fingerprint | tail -n 1
}

# team_enrol SUPERVISOR_WS DEVICE_WS ROLE [ORG]: the device (initialised) joins
# the supervisor's team and the supervisor adds it, then merges to publish
# the roster (a device seals its cases for the supervisors it knows of).
team_enrol() {
	_fp=$(team_fingerprint "$1") && [ -n "$_fp" ] &&
	"$HOMEWARD" --workspace "$2" team join "$_fp" >/dev/null &&
	"$HOMEWARD" --workspace "$2" team request --out "$2.request" 2>/dev/null &&
	"$HOMEWARD" --workspace "$1" team add "$2.request" --role "$3" ${4:+--org "$4"} >/dev/null &&
	"$HOMEWARD" --workspace "$1" merge >/dev/null 2>&1
}
