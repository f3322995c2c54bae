#!/bin/sh
# A full disk is said as such, never as a damaged database: a workspace on a
# small file system that is then filled up (needs a private mount: root).
set -u
HW=$(cd "$(dirname "${HOMEWARD:-./homeward}")" && pwd)/$(basename "${HOMEWARD:-./homeward}")
if [ "${1:-}" != inside ]; then
	if ! unshare -m true 2>/dev/null; then
		echo "1..3"
		for i in 1 2 3; do echo "ok $i - full disk # SKIP no private mounts here (needs root)"; done
		exit 0
	fi
	HOMEWARD=$HW exec unshare -m sh "$0" inside
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/homeward-full.XXXXXX")
trap 'umount "$T/mnt" 2>/dev/null; rm -rf "$T"' EXIT
echo "1..3"
printf 'full disk test passphrase\n' >"$T/passphrase"
exec 9<"$T/passphrase"
HOMEWARD_PASSPHRASE_FD=9; export HOMEWARD_PASSPHRASE_FD
n=0
ok() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; fi; }
mkdir "$T/mnt" && mount -t tmpfs -o size=3m tmpfs "$T/mnt" || { for i in 1 2 3; do echo "ok $i - # SKIP no tmpfs"; done; exit 0; }
W="$HW --workspace $T/mnt/ws"
$W init --device-id laptop-1 --name "Amina K." --role counsellor >/dev/null
$W case add --given-name Yusuf --family-name Example --birth-date 1990-04-01 --nationality IQ --return-country IQ --language ar >/dev/null
rm -f "$T/mnt/ws/homeward.db-check"     # the next open checks the file
dd if=/dev/zero of="$T/mnt/fill" bs=4k 2>/dev/null
$W case list >"$T/out" 2>"$T/err"; st=$?
ok "case list on a full disk does not say the database is damaged" '! grep -q "damaged" "$T/err"'
ok "it says the disk is full, or lists the case" 'grep -q "disk is full" "$T/err" || grep -q Yusuf "$T/out"'
rm -f "$T/mnt/fill"
ok "with space again the case is there" '$W case list --format tsv | grep -q Yusuf'
