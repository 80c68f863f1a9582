#!/usr/bin/env bash
# The agent's Debian package, built by CPack from this build folder: its
# control data (dependencies found by dpkg-shlibdeps, libcurl recommended,
# agent.conf a conffile, maintainer scripts), its files, systemd's own check
# of the units, then a real install on this machine (binaries run, state
# folder 0700), a purge that forgets the enrollment but keeps the quarantine
# vault, and the package gone. Needs root (CI runs as root).
BUILD=$(realpath "${1:?usage: $0 BUILD_DIR}")
source "$(dirname "$0")/../cli/lib.sh" "$BUILD/raquet"
[ "$(id -u)" = 0 ] || { echo "needs root: skipped"; exit 77; }
if dpkg-query -W -f='${Status}' raquet 2>/dev/null | grep -q "install ok installed"; then
	echo "a raquet package is installed on this machine: not touching it"; exit 77
fi

expect_exit 0 cpack --config "$BUILD/CPackConfig.cmake" -B "$WORK/pkg"
DEB=$(ls "$WORK"/pkg/raquet_*_amd64.deb 2>/dev/null | head -1)
[ -f "$DEB" ] || { fail "no package built: $(cat out err | tail -5)"; finish; }

dpkg-deb -f "$DEB" Package Depends Recommends > control
expect_grep '^Package: raquet$' control
for lib in libsqlite3-0 libjansson4 libyara9 libvectorscan5 libarchive13 libssl3; do
	expect_grep "^Depends:.*$lib" control
done
expect_grep '^Recommends: libcurl4' control
expect_no_grep 'libcurl' <(grep '^Depends' control)
dpkg-deb -e "$DEB" ctl
[ "$(cat ctl/conffiles)" = /etc/raquet/agent.conf ] || fail "conffiles: $(cat ctl/conffiles)"
for s in postinst prerm postrm; do
	[ -x "ctl/$s" ] || fail "no executable $s"
	sh -n "ctl/$s" || fail "$s: shell syntax"
done

dpkg-deb -c "$DEB" | awk '{print $6}' > files
for f in ./usr/bin/raquet ./usr/sbin/raquetd ./usr/lib/systemd/system/raquetd.service \
	./usr/lib/systemd/system/raquetd.path ./etc/raquet/agent.conf ./usr/share/man/man8/raquetd.8 \
	./usr/share/man/man1/raquet-scan.1 ./usr/share/doc/raquet/agent.md; do
	grep -qx -- "$f" files || fail "$f not in the package"
done
# stripped binaries
dpkg-deb -x "$DEB" root
file root/usr/sbin/raquetd | grep -q 'not stripped' && fail "raquetd is not stripped"

# systemd's own check of the units (the binary path pointed at this build's)
if command -v systemd-analyze > /dev/null; then
	mkdir units
	sed "s|/usr/sbin/raquetd|$BUILD/raquetd|" root/usr/lib/systemd/system/raquetd.service > units/raquetd.service
	cp root/usr/lib/systemd/system/raquetd.path units/
	# it only warns about a bad value: any word from it is a failure
	systemd-analyze verify --man=no units/raquetd.service units/raquetd.path > verify.out 2>&1
	[ $? = 0 ] && [ ! -s verify.out ] || fail "systemd-analyze: $(cat verify.out)"
fi
expect_grep '^ConditionPathExists=/var/lib/raquet/agent.json$' root/usr/lib/systemd/system/raquetd.service
expect_grep '^PathExists=/var/lib/raquet/agent.json$' root/usr/lib/systemd/system/raquetd.path

# --- a real install, then purge ---
mkdir -p /var/lib/raquet/quarantine
echo kept > /var/lib/raquet/quarantine/item
echo '{}' > /var/lib/raquet/agent.json
expect_exit 0 dpkg -i "$DEB"
expect_exit 0 /usr/bin/raquet --version
expect_exit 0 /usr/sbin/raquetd --version
[ "$(stat -c %a /var/lib/raquet)" = 700 ] || fail "state folder mode $(stat -c %a /var/lib/raquet)"
[ -f /etc/raquet/agent.conf ] || fail "no /etc/raquet/agent.conf"
expect_exit 0 dpkg --purge raquet
[ ! -e /usr/sbin/raquetd ] || fail "raquetd left after purge"
[ ! -e /var/lib/raquet/agent.json ] || fail "enrollment left after purge"
[ "$(cat /var/lib/raquet/quarantine/item 2>/dev/null)" = kept ] || fail "purge deleted the quarantine vault"
rm -rf /var/lib/raquet/quarantine/item
rmdir /var/lib/raquet/quarantine /var/lib/raquet 2>/dev/null
finish
