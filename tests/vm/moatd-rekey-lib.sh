# shellcheck shell=bash
# Checks for the moatd rekey scenarios (52, 53), after moatd-lib.sh.

# spis NS: the SPIs in NS's kernel, sorted, one per line.
spis() {
	nsx "$1" moat sa show dev moat0 | awk '/^sa spi/ {print $3 "/" $5}' |
		sort
}

# shown NS: the SPIs moatd says it installed, as spis prints them.
shown() {
	nsx "$1" moat -j ike show | python3 -c '
import json, sys
for c in json.load(sys.stdin)["conns"]:
  for sa in c["ike_sas"]:
    for ch in sa["child_sas"]:
      print(ch["spi_in"] + "/in")
      if ch["state"] == "installed":
        print(ch["spi_out"] + "/out")' | sort
}

# one_pair NS: exactly one inbound and one outbound SA right now (one
# dump: between rekeys there is less than a second of it).
one_pair() {
	local o
	o=$(nsx "$1" moat sa show dev moat0)
	[[ $(grep -c '^sa spi.*dir in' <<<"$o") == 1 &&
	   $(grep -c '^sa spi.*dir out' <<<"$o") == 1 ]]
}

# ike_spis NS: the established, not replaced, IKE SAs' SPIs.
ike_spis() {
	nsx "$1" moat -j ike show | python3 -c '
import json, sys
for c in json.load(sys.stdin)["conns"]:
    for sa in c["ike_sas"]:
        if sa["state"] == "established":
            print(sa["spi_i"], sa["spi_r"])'
}

# no_loss FILE [MIN [LAST]]: every echo ping sent (at least MIN, default
# 100) was answered, but for the LAST (1) ones: they may have been on
# their way when ping was stopped.
no_loss() {
	python3 - "$1" "${2:-100}" "${3:-1}" <<-'PY'
		import re, sys
		t = open(sys.argv[1]).read()
		seqs = [int(x) for x in re.findall(r"icmp_seq=(\d+) ttl", t)]
		m = re.search(r"(\d+) packets transmitted, (\d+) received", t)
		sent, got = int(m.group(1)), int(m.group(2))
		missing = sorted(set(range(1, sent + 1)) - set(seqs))
		print(f"ping: {sent} sent, {got} answered, missing {missing}")
		late = sent - int(sys.argv[3])
		ok = sent >= int(sys.argv[2]) and all(x > late for x in missing)
		sys.exit(0 if ok else 1)
	PY
}

# agree: each side's one SA pair is the other's, and each kernel holds
# exactly what its moatd reports. Rekeys may be under way: a few tries.
agree() {
	local ina outa inb outb
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		if one_pair a && one_pair b && [[ $(spis a) == "$(shown a)" &&
		    $(spis b) == "$(shown b)" ]]; then
			ina=$(spis a | sed -n 's,/in,,p')
			outa=$(spis a | sed -n 's,/out,,p')
			inb=$(spis b | sed -n 's,/in,,p')
			outb=$(spis b | sed -n 's,/out,,p')
			[[ $ina == "$outb" && $outa == "$inb" ]] && return 0
		fi
		sleep 0.3
	done
	echo "a: $(spis a | xargs) moatd: $(shown a | xargs)"
	echo "b: $(spis b | xargs) moatd: $(shown b | xargs)"
	return 1
}

# one_ike NS: NS runs one IKE SA, none on its way out.
one_ike() {
	[[ $(nsx "$1" moat -j ike show | python3 -c '
import json, sys
print(sum(len(c["ike_sas"]) for c in json.load(sys.stdin)["conns"]))') == 1 &&
	   $(ike_spis "$1" | wc -l) == 1 ]]
}
