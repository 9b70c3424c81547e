#!/bin/bash
# The moat tool's command-line behaviour that needs no kernel: help and
# version output, and every usage error naming what was wrong with exit 2.
# Runs the ASan/UBSan build (userspace/moat-san).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
moat=${MOAT_BIN:-$top/userspace/moat-san}
passed=0 failed=0

# expect NAME EXIT-CODE PATTERN -- ARGS...: the output (stdout and stderr)
# must match PATTERN and the exit code must be EXIT-CODE.
expect() {
	local name=$1 code=$2 pat=$3 out rc
	shift 4
	out=$("$moat" "$@" 2>&1)
	rc=$?
	if [ "$rc" = "$code" ] && grep -qE -- "$pat" <<<"$out"; then
		echo "PASS cli/$name"; passed=$((passed + 1))
	else
		echo "FAIL cli/$name: exit $rc, output:"; sed 's/^/    /' <<<"$out"
		failed=$((failed + 1))
	fi
}

# absent NAME PATTERN -- ARGS...: a usage error (exit 2) whose output does
# not match PATTERN.
absent() {
	local name=$1 pat=$2 out rc
	shift 3
	out=$("$moat" "$@" 2>&1)
	rc=$?
	if [ "$rc" = 2 ] && ! grep -qE -- "$pat" <<<"$out"; then
		echo "PASS cli/$name"; passed=$((passed + 1))
	else
		echo "FAIL cli/$name: exit $rc, output:"; sed 's/^/    /' <<<"$out"
		failed=$((failed + 1))
	fi
}

expect version 0 '^moat [0-9]+\.[0-9]+\.[0-9]+, genetlink family moat version 1$' -- --version
expect version-short 0 'genetlink family moat' -- -V
expect help 0 'OBJECT := \{ link' -- help
expect help-option 0 'Usage: moat' -- -h
expect link-help 0 'moat link set dev NAME' -- link help
expect no-args 2 'Usage: moat' --
expect bad-option 2 'unknown option "-x"' -- -x link show
expect bad-object 2 'unknown object "frobnicate"' -- frobnicate
expect bad-link-cmd 2 'link: unknown command "explode"' -- link explode
expect set-no-dev 2 'which device' -- link set mss-clamp auto
expect set-nothing 2 'nothing to set' -- link set dev moat0
expect set-bad-mss 2 'mss-clamp "100" is not auto, off or 536..65495' -- link set dev moat0 mss-clamp 100
expect set-bad-floor 2 'pmtu-floor4 "67" is not 68..65535' -- link set dev moat0 pmtu-floor4 67
expect set-floor-junk 2 'pmtu-floor4 "5x" is not' -- link set dev moat0 pmtu-floor4 5x
expect set-missing-value 2 '"mss-clamp" needs a value' -- link set dev moat0 mss-clamp
expect set-unknown 2 'unknown setting "colour"' -- link set dev moat0 colour red
expect set-bad-max-peers 2 'max-peers "0" is not 1..65536' -- link set dev moat0 max-peers 0
expect set-big-max-sas 2 'max-sas "262145" is not 1..262144' -- link set dev moat0 max-sas 262145
expect link-help-caps 0 'max-peers := 1..65536 \(default 16384\)' -- link help
expect show-bad-name 2 'is not a device name' -- link show dev a/b
expect show-extra 2 'unexpected "x"' -- link show dev moat0 x

# moat peer: every usage error is exit 2 and names the problem. Valid input
# goes on to netlink and fails there (exit 1) on a device that cannot exist.
nodev=moatcli9
expect peer-help 0 'moat peer add dev NAME remote ADDR' -- peer help
expect peer-help-ts 0 'PREFIX := ADDR\[/LEN\]' -- peer help
expect help-objects 0 'OBJECT := \{ link \| peer \| sa \| monitor \| ike \| guard \}' -- help
expect peer-bad-cmd 2 'peer: unknown command "explode"' -- peer explode
expect peer-add-no-dev 2 'peer add: which device\? \(dev NAME\)' -- peer add remote 192.0.2.2 ts 10.0.0.0/8
expect peer-add-bad-dev 2 'peer add: "a/b" is not a device name' -- peer add dev a/b remote 192.0.2.2 ts 10.0.0.0/8
expect peer-add-no-remote 2 'peer add: which peer\? \(remote ADDR\)' -- peer add dev moat0 ts 10.0.0.0/8
expect peer-add-bad-remote 2 'peer add: remote "192.0.2.300" is not an IPv4 or IPv6 address' -- peer add dev moat0 remote 192.0.2.300 ts 10.0.0.0/8
expect peer-add-remote-prefix 2 'remote "192.0.2.0/24" is not an IPv4 or IPv6 address' -- peer add dev moat0 remote 192.0.2.0/24 ts 10.0.0.0/8
expect peer-add-remote-any 2 'remote 0.0.0.0 is the unspecified address' -- peer add dev moat0 remote 0.0.0.0 ts 10.0.0.0/8
expect peer-add-remote-any6 2 'remote :: is the unspecified address' -- peer add dev moat0 remote :: ts 10.0.0.0/8
expect peer-add-remote-mcast 2 'remote 224.0.0.5 is a multicast address' -- peer add dev moat0 remote 224.0.0.5 ts 10.0.0.0/8
expect peer-add-remote-mcast6 2 'remote ff02::1 is a multicast address' -- peer add dev moat0 remote ff02::1 ts 10.0.0.0/8
expect peer-add-remote-bcast 2 'remote 255.255.255.255 is the broadcast address' -- peer add dev moat0 remote 255.255.255.255 ts 10.0.0.0/8
expect peer-add-remote-mapped 2 'remote ::ffff:192.0.2.2 is an IPv4-mapped address \(write it as IPv4\)' -- peer add dev moat0 remote ::ffff:192.0.2.2 ts 10.0.0.0/8
expect peer-add-bad-local 2 'peer add: local "x" is not an IPv4 or IPv6 address' -- peer add dev moat0 remote 192.0.2.2 local x ts 10.0.0.0/8
expect peer-add-local-family 2 'local 2001:db8::1 and remote 192.0.2.2 are not of the same family' -- peer add dev moat0 remote 192.0.2.2 local 2001:db8::1 ts 10.0.0.0/8
expect peer-add-bad-encap 2 'encap "tcp" is not none or udp' -- peer add dev moat0 remote 192.0.2.2 encap tcp ts 10.0.0.0/8
expect peer-add-sport-no-udp 2 'peer add: sport needs encap udp' -- peer add dev moat0 remote 192.0.2.2 sport 4500 ts 10.0.0.0/8
expect peer-add-dport-no-udp 2 'peer add: dport needs encap udp' -- peer add dev moat0 remote 192.0.2.2 encap none dport 4500 ts 10.0.0.0/8
expect peer-add-sport-zero 2 'sport "0" is not 1..65535' -- peer add dev moat0 remote 192.0.2.2 encap udp sport 0 ts 10.0.0.0/8
expect peer-add-dport-big 2 'dport "65536" is not 1..65535' -- peer add dev moat0 remote 192.0.2.2 encap udp dport 65536 ts 10.0.0.0/8
expect peer-add-sport-junk 2 'sport "45x" is not 1..65535' -- peer add dev moat0 remote 192.0.2.2 encap udp sport 45x ts 10.0.0.0/8
expect peer-add-no-ts 2 'peer add: which inner prefixes\? \(ts PREFIX' -- peer add dev moat0 remote 192.0.2.2
expect peer-add-ts-len 2 'peer add: ts "10.2.0.0/33" has a prefix length above 32' -- peer add dev moat0 remote 192.0.2.2 ts 10.0.0.0/8,10.2.0.0/33
expect peer-add-ts-len6 2 'ts "fd00::/129" has a prefix length above 128' -- peer add dev moat0 remote 192.0.2.2 ts fd00::/129
expect peer-add-ts-addr 2 'ts "10.2.0.300/16" is not an IPv4 or IPv6 prefix' -- peer add dev moat0 remote 192.0.2.2 ts 10.2.0.300/16
expect peer-add-ts-nolen 2 'ts "10.2.0.0/" has a prefix length that is not a number' -- peer add dev moat0 remote 192.0.2.2 ts 10.2.0.0/
expect peer-add-ts-empty 2 'peer add: ts element 2 is empty' -- peer add dev moat0 remote 192.0.2.2 ts 10.0.0.0/8,,fd00::/8
expect peer-add-ts-trailing 2 'peer add: ts element 2 is empty' -- peer add dev moat0 remote 192.0.2.2 ts 10.0.0.0/8,
expect peer-add-ts-blank 2 'peer add: ts no prefixes given' -- peer add dev moat0 remote 192.0.2.2 ts ''
expect peer-add-ts-twice 2 'ts "10.9.9.9/8" is given twice \(as 10.0.0.0/8\)' -- peer add dev moat0 remote 192.0.2.2 ts 10.0.0.0/8,10.9.9.9/8
ts257=$(for i in $(seq 0 256); do printf '10.%d.%d.0/24,' $((i / 256)) $((i % 256)); done)
expect peer-add-ts-too-many 2 'ts more than 256 prefixes \(at "10.1.0.0/24"\)' -- peer add dev moat0 remote 192.0.2.2 ts "${ts257%,}"
expect peer-add-unknown 2 'peer add: unknown word "colour"' -- peer add dev moat0 remote 192.0.2.2 ts 10.0.0.0/8 colour red
expect peer-add-missing-value 2 'peer add: "ts" needs a value' -- peer add dev moat0 remote 192.0.2.2 ts
expect peer-add-twice 2 'peer add: "remote" is given twice' -- peer add dev moat0 remote 192.0.2.2 remote 192.0.2.3 ts 10.0.0.0/8
expect peer-add-host-bits 1 'warning: peer add: ts "10.2.3.4/16" has host bits set; using 10.2.0.0/16' -- peer add dev $nodev remote 192.0.2.2 ts 10.2.3.4/16
expect peer-add-valid 1 "module is not loaded|peer add dev $nodev remote 2001:db8::2: " -- peer add dev $nodev remote 2001:db8::2 local 2001:db8::1 encap udp sport 4501 dport 4502 ts "${ts257%,10.1.0.0/24,}"
expect peer-del-no-dev 2 'peer del: which device\?' -- peer del remote 192.0.2.2
expect peer-del-no-remote 2 'peer del: which peer\? \(remote ADDR\)' -- peer del dev moat0
expect peer-del-bad-remote 2 'peer del: remote "fd00::/64" is not an IPv4 or IPv6 address' -- peer del dev moat0 remote fd00::/64
expect peer-del-unknown 2 'peer del: unknown word "ts"' -- peer del dev moat0 remote 192.0.2.2 ts 10.0.0.0/8
expect peer-show-bad-dev 2 'peer show: "a b" is not a device name' -- peer show dev 'a b'
expect peer-show-bad-remote 2 'peer show: remote "nope" is not an IPv4 or IPv6 address' -- peer show remote nope
expect peer-show-extra 2 'peer show: unknown word "x"' -- peer show dev moat0 x
expect peer-show-missing 2 'peer show: "remote" needs a value' -- peer show remote

# moat sa.
k20=0x$(printf '%040d' 0)
k36=0x$(printf '%072d' 0)
sa=(sa add dev moat0 peer 192.0.2.2)
expect sa-help 0 'moat sa add dev NAME peer ADDR dir \{ in \| out \} spi SPI' -- sa help
expect sa-help-key 0 'KEY := 0x and hex digits' -- sa help
expect sa-bad-cmd 2 'sa: unknown command "explode"' -- sa explode
expect sa-add-no-dev 2 'sa add: which device\?' -- sa add peer 192.0.2.2 dir out spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128
expect sa-add-no-peer 2 'sa add: which peer\? \(peer ADDR\)' -- sa add dev moat0 dir out spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128
expect sa-add-bad-peer 2 'sa add: peer "192.0.2" is not an IPv4 or IPv6 address' -- sa add dev moat0 peer 192.0.2 dir out spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128
expect sa-add-mcast-peer 2 'sa add: peer 239.1.1.1 is a multicast address' -- sa add dev moat0 peer 239.1.1.1 dir out spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128
expect sa-add-no-dir 2 'sa add: which direction\? \(dir in or dir out\)' -- "${sa[@]}" spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128
expect sa-add-bad-dir 2 'sa add: dir "both" is not in or out' -- "${sa[@]}" dir both spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128
expect sa-add-no-spi 2 'sa add: which SPI\? \(spi SPI\)' -- "${sa[@]}" dir out aead 'rfc4106(gcm(aes))' $k20 128
expect sa-add-spi-zero 2 'sa add: spi 0 is reserved' -- "${sa[@]}" dir out spi 0 aead 'rfc4106(gcm(aes))' $k20 128
expect sa-add-spi-reserved 2 'sa add: spi 255 is reserved \(RFC 4303 keeps 1..255\)' -- "${sa[@]}" dir out spi 0xff aead 'rfc4106(gcm(aes))' $k20 128
expect sa-add-spi-one 2 'sa add: spi 1 is reserved' -- "${sa[@]}" dir out spi 1 aead 'rfc4106(gcm(aes))' $k20 128
expect sa-add-spi-big 2 'sa add: spi "0x100000000" is not a 32-bit number' -- "${sa[@]}" dir out spi 0x100000000 aead 'rfc4106(gcm(aes))' $k20 128
expect sa-add-spi-junk 2 'sa add: spi "10O1" is not a 32-bit number' -- "${sa[@]}" dir out spi 10O1 aead 'rfc4106(gcm(aes))' $k20 128
expect sa-add-no-aead 2 'sa add: which algorithm and key\? \(aead ALG KEY ICV-BITS\)' -- "${sa[@]}" dir out spi 0x1001
expect sa-add-aead-short 2 'sa add: aead needs ALG KEY ICV-BITS' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' $k20
expect sa-add-bad-alg 2 'sa add: aead: unknown algorithm "cbc\(aes\)" \(known: rfc4106\(gcm\(aes\)\), rfc7539esp\(chacha20,poly1305\)\)' -- "${sa[@]}" dir out spi 0x1001 aead 'cbc(aes)' $k20 128
expect sa-add-key-no-0x 2 'sa add: aead: the key must be 0x and hex digits' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' 00112233 128
expect sa-add-key-odd 2 'sa add: aead: the key has an odd number of hex digits \(41\)' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' ${k20}1 128
expect sa-add-key-nonhex 2 "sa add: aead: the key has 'z' at position 7, not a hex digit" -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' 0x0000z0 128
expect sa-add-key-long 2 'sa add: aead: the key is 37 bytes, more than 36' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' ${k36}00 128
expect sa-add-key-gcm-len 2 'sa add: aead: key is 16 bytes; rfc4106\(gcm\(aes\)\) takes 20, 28 or 36' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' 0x$(printf '%032d' 0) 128
expect sa-add-key-chacha-len 2 'sa add: aead: key is 20 bytes; rfc7539esp\(chacha20,poly1305\) takes 36' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc7539esp(chacha20,poly1305)' $k20 128
expect sa-add-icv 2 'sa add: aead: ICV length 96 bits is not supported \(only 128\)' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 96
expect sa-add-icv-junk 2 'sa add: aead: ICV length "esn" is not a number of bits' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 esn
expect sa-add-key-len-exact 2 '^moat: sa add: aead: key is 21 bytes; rfc4106\(gcm\(aes\)\) takes 20, 28 or 36 \(a 16, 24 or 32-byte key, then a 4-byte salt\)$' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' 0x1234567890abcdef1234567890abcdef1234567890 128
# No message ever repeats key material, whatever is wrong.
absent sa-add-key-not-echoed-len '1234567890abcdef' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' 0x1234567890abcdef1234567890abcdef1234567890 128
absent sa-add-key-not-echoed-hex 'abcdef' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' 0x1234567890abcdefX 128
absent sa-add-key-not-echoed-later 'abcdef' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' 0x1234567890abcdef1234567890abcdef12345678 128 bogus
expect sa-add-window-out 2 'sa add: replay-window applies to inbound SAs only \(dir in\)' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128 replay-window 64
expect sa-add-window-big 2 'sa add: replay-window "65537" is not 0..65536' -- "${sa[@]}" dir in spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128 replay-window 65537
expect sa-add-window-junk 2 'sa add: replay-window "lots" is not 0..65536' -- "${sa[@]}" dir in spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128 replay-window lots
expect sa-add-lt-soft-hard 2 'sa add: lifetime soft bytes 2000 is above hard bytes 1000' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128 lifetime soft bytes 2000 hard bytes 1000
expect sa-add-lt-soft-hard-split 2 'sa add: lifetime soft seconds 90 is above hard seconds 60' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128 lifetime hard seconds 60 esn lifetime soft seconds 90
expect sa-add-lt-limit 2 'sa add: lifetime: expected soft or hard, not "bytes"' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128 lifetime bytes 1000
expect sa-add-lt-kind 2 'sa add: lifetime hard: expected bytes, packets or seconds, not "minutes"' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128 lifetime hard minutes 5
expect sa-add-lt-value 2 'sa add: lifetime hard bytes: "1G" is not a number' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128 lifetime hard bytes 1G
expect sa-add-lt-missing 2 'sa add: lifetime hard packets: missing the number' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128 lifetime hard packets
expect sa-add-lt-twice 2 'sa add: lifetime hard packets is given twice' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128 lifetime hard packets 5 lifetime hard packets 6
expect sa-add-esn-no-window 2 'sa add: esn needs a replay window \(replay-window 0 turns it off\)' -- "${sa[@]}" dir in spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128 esn replay-window 0
expect sa-add-esn-twice 2 'sa add: "esn" is given twice' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128 esn esn
expect sa-add-unknown 2 'sa add: unknown word "flag"' -- "${sa[@]}" dir out spi 0x1001 aead 'rfc4106(gcm(aes))' $k20 128 flag esn
expect sa-add-spi-twice 2 'sa add: "spi" is given twice' -- "${sa[@]}" dir out spi 0x1001 spi 0x1002 aead 'rfc4106(gcm(aes))' $k20 128
expect sa-add-valid 1 "module is not loaded|sa add dev $nodev peer 192.0.2.2 dir in spi 0x00001001: " -- sa add dev $nodev peer 192.0.2.2 dir in spi 4097 aead 'rfc7539esp(chacha20,poly1305)' $k36 128 esn replay-window 65536 lifetime soft bytes 1000 hard bytes 1000 soft seconds 0
expect sa-del-no-dev 2 'sa del: which device\?' -- sa del dir out spi 0x1001
expect sa-del-no-dir 2 'sa del: which direction\?' -- sa del dev moat0 spi 0x1001
expect sa-del-no-spi 2 'sa del: which SPI\?' -- sa del dev moat0 dir in
expect sa-del-spi-zero 2 'sa del: spi 0 is reserved' -- sa del dev moat0 dir in spi 0
expect sa-del-bad-dir 2 'sa del: dir "up" is not in or out' -- sa del dev moat0 dir up spi 0x1001
expect sa-del-bad-peer 2 'sa del: peer "x" is not an IPv4 or IPv6 address' -- sa del dev moat0 peer x dir in spi 0x1001
expect sa-del-unknown 2 'sa del: unknown word "aead"' -- sa del dev moat0 dir in spi 0x1001 aead x y z
expect sa-show-bad-dev 2 'sa show: "moat0:1" is not a device name' -- sa show dev moat0:1
expect sa-show-bad-peer 2 'sa show: peer "1.2.3" is not an IPv4 or IPv6 address' -- sa show peer 1.2.3
expect sa-show-extra 2 'sa show: unknown word "spi"' -- sa show dev moat0 spi 0x1001
expect sa-show-twice 2 'sa show: "dev" is given twice' -- sa show dev moat0 dev moat1
expect sa-flush-bad-peer 2 'sa flush: peer "::1::" is not an IPv4 or IPv6 address' -- sa flush dev moat0 peer ::1::
expect sa-flush-extra 2 'sa flush: unknown word "dir"' -- sa flush dir in
expect sa-flush-missing 2 'sa flush: "dev" needs a value' -- sa flush dev

expect monitor-help 0 'Usage: moat monitor \[ count N \]' -- monitor help
expect monitor-bad-count 2 'count "0" is not a positive number' -- monitor count 0
expect monitor-extra 2 'monitor: unexpected "now"' -- monitor now

# moat ike talks to moatd's control socket; usage errors come first.
expect ike-help 0 'Usage: moat ike up NAME' -- ike help
expect ike-up-no-name 2 'ike up: which connection\? \(ike up NAME\)' -- ike up
expect ike-up-two-names 2 'ike up: which connection\?' -- ike up a b
expect ike-up-bad-name 2 'ike up: "a/b" is not a connection name' -- ike up a/b
expect ike-up-long-name 2 'is not a connection name' -- ike up "$(printf 'x%.0s' {1..64})"
expect ike-down-no-name 2 'ike down: which connection\?' -- ike down
expect ike-down-bad-name 2 'ike down: "a b" is not a connection name' -- ike down "a b"
expect ike-rekey-no-name 2 'ike rekey: which connection\?' -- ike rekey
expect ike-rekey-bad-name 2 'ike rekey: "a/b" is not a connection name' -- ike rekey a/b
expect ike-rekey-bad-what 2 'ike rekey: unexpected "child"' -- ike rekey a child
expect ike-rekey-extra 2 'ike rekey: unexpected "x"' -- ike rekey a ike x
expect ike-show-extra 2 'ike show: unexpected "now"' -- ike show now
expect ike-unknown 2 'ike: unknown command "start"' -- ike start

# moat guard: the namespace's IKE guard; usage errors before the kernel.
expect guard-help 0 'moat guard set \[ mode \{ auto \| off \| cookies \| puzzles \} \]' -- guard help
expect guard-unknown 2 'guard: unknown command "open"' -- guard open
expect guard-show-extra 2 'guard show: unexpected "now"' -- guard show now
expect guard-set-nothing 2 'guard set: nothing to set' -- guard set
expect guard-set-no-value 2 'guard set: "rate" needs a value' -- guard set rate
expect guard-set-bad-mode 2 'mode "panic" is not auto, off, cookies or puzzles' -- guard set mode panic
expect guard-set-unknown 2 'guard set: unknown setting "colour"' -- guard set colour red
expect guard-set-bad-num 2 'guard set: cookies-at "lots" is not a number' -- guard set cookies-at lots
expect guard-set-u8 2 'guard set: hops "256" is not a number up to 255' -- guard set hops 256
expect guard-set-bad-difficulty 2 'difficulty "8-x" is not MIN or MIN-MAX' -- guard set difficulty 8-x
expect guard-set-difficulty-range 2 'difficulty "300" is not MIN or MIN-MAX' -- guard set difficulty 300
expect monitor-help-guard 0 'guard level events' -- monitor help

echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
