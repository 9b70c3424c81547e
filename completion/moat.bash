# bash completion for moat(8)                              -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0
#
# Objects, commands and keywords come from the tool's own grammar (moat help
# and moat OBJECT help), so they follow the tool. Values: device names from
# ip link (type moat), connection names from moatd (moat -j ike show), and
# the { a | b } alternatives the grammar gives.

# _moat_help ARGS...: the tool's help text; description after two blanks cut.
_moat_help()
{
    "${COMP_WORDS[0]}" "$@" help 2>/dev/null | sed -E 's/([^ ])  +[a-z].*/\1/'
}

_moat_objects()
{
    _moat_help | sed -n 's/.*OBJECT := {\(.*\)}.*/\1/p' | tr -d '|'
}

# _moat_commands OBJECT: the words after "moat OBJECT" in its usage lines.
_moat_commands()
{
    _moat_help "$1" | sed -n "s/.*moat $1 \([a-z][a-z0-9-]*\).*/\1/p" | sort -u
}

# _moat_usage OBJECT [COMMAND]: the usage block of one command ("USE "
# lines, from after the command), then the object's definitions ("DEF "
# lines: PLACEHOLDER := ...).
_moat_usage()
{
    _moat_help "$1" | awk -v head="moat $1${2:+ $2}" '
        index($0, "moat ") {
            on = 0
            i = index($0, head)
            rest = substr($0, i + length(head))
            if (i && (rest == "" || rest ~ /^ /)) { on = 1; print "USE " rest }
            next
        }
        /^[A-Z][A-Z-]* := / { print "DEF " $0; on = 0; next }
        !/^ / { on = 0 }
        on { print "USE " $0 }'
}

# _moat_full WORD WORDS: the one of WORDS that WORD is a prefix of (ip
# style: the first that matches), or WORD.
_moat_full()
{
    local w
    for w in $2; do
        [[ $w == "$1"* ]] && { echo "$w"; return; }
    done
    echo "$1"
}

# _moat_values KEYWORD USAGE: the { a | b } alternatives after KEYWORD, or
# those of the placeholder after it (KEYWORD PLACEHOLDER, PLACEHOLDER := {).
_moat_values()
{
    local kw=$1 use=$2 tokens t next i depth
    tokens=($(sed -n 's/^USE //p' <<<"$use" | sed 's/[{}|[]/ & /g; s/]/ ] /g'))
    for ((i = 0; i < ${#tokens[@]}; i++)); do
        [[ ${tokens[i]} == "$kw" ]] || continue
        next=${tokens[i + 1]}
        if [[ $next == "{" ]]; then
            depth=0
            for ((i++; i < ${#tokens[@]}; i++)); do
                t=${tokens[i]}
                case $t in
                "{" | "[") ((depth++)) ;;
                "}" | "]") ((--depth == 0)) && break ;;
                *) ((depth == 1)) && [[ $t =~ ^[a-z] && ${tokens[i - 1]} =~ ^[{|]$ ]] &&
                    echo "$t" ;;
                esac
            done
        elif [[ $next =~ ^[A-Z] ]]; then
            sed -n "s/^DEF ${next%%[[,]*} := {\([^}]*\)}.*/\1/p" <<<"$use" | tr '|' '\n'
        fi
        return
    done
}

# _moat_keywords USAGE: the keywords of a usage block, values left out.
_moat_keywords()
{
    local use=$1 t prev=
    for t in $(sed -n 's/^USE //p' <<<"$use" | sed 's/[{}|[]/ & /g; s/]/ ] /g'); do
        [[ $t =~ ^[a-z][a-z0-9-]*$ && ! $prev =~ ^[{|]$ ]] && echo "$t"
        prev=$t
    done
}

_moat_devices()
{
    ip -o link show type moat 2>/dev/null | awk -F': ' '{ sub("@.*", "", $2); print $2 }'
}

_moat_conns()
{
    "${COMP_WORDS[0]}" -j ike show 2>/dev/null |
        grep -oE '"name": *"[^"]*"' | sed -E 's/.*"([^"]*)"$/\1/'
}

_moat()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local i obj= cmd= ncmd=0 use words vals

    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ -z $obj ]]; then
            [[ ${COMP_WORDS[i]} == -* ]] || obj=$(_moat_full "${COMP_WORDS[i]}" "$(_moat_objects)") ncmd=$i
        elif [[ -z $cmd && $obj != monitor ]]; then
            cmd=$(_moat_full "${COMP_WORDS[i]}" "$(_moat_commands "$obj")") ncmd=$i
        fi
    done
    if [[ -z $obj ]]; then
        if [[ $cur == -* ]]; then
            words="-json -statistics -Version --version -help"
        else
            words="$(_moat_objects) help"
        fi
    elif [[ -z $cmd && $obj != monitor ]]; then
        words=$(_moat_commands "$obj")
    elif [[ $obj == ike && ($cmd == up || $cmd == down) ]]; then
        ((COMP_CWORD == ncmd + 1)) && words=$(_moat_conns)
    elif [[ $prev == dev ]]; then
        words=$(_moat_devices)
    else
        use=$(_moat_usage "$obj" "$cmd")
        words=$(_moat_values "$prev" "$use")
        if [[ -z $words ]]; then
            # Keywords not given yet.
            words=$(_moat_keywords "$use")
            for ((i = ncmd + 1; i < COMP_CWORD; i++)); do
                words=$(grep -vxF -- "${COMP_WORDS[i]}" <<<"$words")
            done
        fi
    fi
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _moat moat
