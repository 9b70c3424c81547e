# shellcheck shell=bash
# What the bench scripts share. Source it after setting $top.

# num NAME VALUE: VALUE when it is a positive integer; otherwise says which
# setting is wrong and exits 2.
num() {
	[[ $2 =~ ^[0-9]+$ && $2 -gt 0 ]] || {
		echo "bench: $1 must be a positive integer, not '$2'" >&2
		exit 2
	}
	echo "$2"
}
