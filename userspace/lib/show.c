// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if.h>

#include "parse.h"
#include "show.h"

#define STAT(e, j, t, d, x) [MOAT_STAT_##e] = { j, t, d, x }

const struct moat_stat_name moat_stat_names[MOAT_STAT_MAX + 1] = {
	STAT(RX_PACKETS, "rx_packets", "packets", STAT_RX, 0),
	STAT(RX_BYTES, "rx_bytes", "bytes", STAT_RX, 0),
	STAT(TX_PACKETS, "tx_packets", "packets", STAT_TX, 0),
	STAT(TX_BYTES, "tx_bytes", "bytes", STAT_TX, 0),
	STAT(RX_UNKNOWN_SPI, "rx_unknown_spi", "unknown-spi", STAT_RX, 1),
	STAT(RX_REPLAYED, "rx_replayed", "replayed", STAT_RX, 1),
	STAT(RX_OUTSIDE_WINDOW, "rx_outside_window", "outside-window", STAT_RX, 1),
	STAT(RX_ICV_FAIL, "rx_icv_fail", "icv-fail", STAT_RX, 1),
	STAT(RX_BAD_TRAILER, "rx_bad_trailer", "bad-trailer", STAT_RX, 1),
	STAT(RX_SELECTOR, "rx_selector", "selector", STAT_RX, 1),
	STAT(RX_TOO_SHORT, "rx_too_short", "too-short", STAT_RX, 1),
	STAT(RX_BAD_INNER, "rx_bad_inner", "bad-inner", STAT_RX, 1),
	STAT(RX_EXPIRED, "rx_expired", "expired", STAT_RX, 1),
	STAT(RX_NOMEM, "rx_nomem", "nomem", STAT_RX, 1),
	STAT(RX_QUEUE_FULL, "rx_queue_full", "queue-full", STAT_RX, 1),
	STAT(TX_NO_PEER, "tx_no_peer", "no-peer", STAT_TX, 1),
	STAT(TX_NO_SA, "tx_no_sa", "no-sa", STAT_TX, 1),
	STAT(TX_SEQ_EXHAUSTED, "tx_seq_exhausted", "seq-exhausted", STAT_TX, 1),
	STAT(TX_EXPIRED, "tx_expired", "expired", STAT_TX, 1),
	STAT(TX_NO_ROUTE, "tx_no_route", "no-route", STAT_TX, 1),
	STAT(TX_ERROR, "tx_error", "error", STAT_TX, 1),
	STAT(TX_NOMEM, "tx_nomem", "nomem", STAT_TX, 1),
	STAT(TX_QUEUE_FULL, "tx_queue_full", "queue-full", STAT_TX, 1),
	STAT(TX_BAD_INNER, "tx_bad_inner", "bad-inner", STAT_TX, 1),
	STAT(TX_TOO_BIG, "tx_too_big", "too-big", STAT_TX, 1),
	STAT(PTB_ACCEPTED, "ptb_accepted", "ptb-accepted", STAT_PMTU, 0),
	STAT(PTB_REJECTED, "ptb_rejected", "ptb-rejected", STAT_PMTU, 0),
	STAT(PTB_CLAMPED, "ptb_clamped", "ptb-clamped", STAT_PMTU, 0),
	STAT(TX_OUTER_FRAGS, "tx_outer_frags", "outer-frags", STAT_PMTU, 0),
	STAT(TX_INNER_FRAGS, "tx_inner_frags", "inner-frags", STAT_PMTU, 0),
	STAT(RX_IKE_DROPPED, "rx_ike_dropped", "ike-dropped", STAT_RX, 1),
	STAT(RX_NAT_KEEPALIVE, "rx_nat_keepalive", "nat-keepalive", STAT_RX, 1),
};

void show_init(struct moat_show *s, FILE *out, int as_json, int stats)
{
	memset(s, 0, sizeof(*s));
	s->out = out;
	s->as_json = as_json;
	s->stats = stats;
	json_init(&s->json, out);
}

void show_begin(struct moat_show *s)
{
	if (s->as_json)
		json_open_array(&s->json, NULL);
}

void show_end(struct moat_show *s)
{
	if (s->as_json) {
		json_close_array(&s->json);
		json_end(&s->json);
	}
	fflush(s->out);
}

static void drops_line(struct moat_show *s, const uint64_t *v,
		       const unsigned char *have, unsigned int dir,
		       const char *label)
{
	int i, any = 0;

	for (i = 0; i <= MOAT_STAT_MAX; i++) {
		const struct moat_stat_name *n = &moat_stat_names[i];

		if (!n->json || !n->drop || n->dir != dir || !have[i])
			continue;
		if (!v[i] && s->stats < 2)
			continue;
		fprintf(s->out, "%s %s %" PRIu64, any ? "" : label, n->text, v[i]);
		any = 1;
	}
	if (any)
		fputc('\n', s->out);
}

/* Path MTU events: every one the kernel sent, zeros included. */
static void pmtu_line(struct moat_show *s, const uint64_t *v,
		      const unsigned char *have)
{
	int i, any = 0;

	for (i = 0; i <= MOAT_STAT_MAX; i++) {
		const struct moat_stat_name *n = &moat_stat_names[i];

		if (!n->json || n->dir != STAT_PMTU || !have[i])
			continue;
		fprintf(s->out, "%s %s %" PRIu64, any ? "" : "    PMTU:", n->text,
			v[i]);
		any = 1;
	}
	if (any)
		fputc('\n', s->out);
}

void show_stats(struct moat_show *s, struct nlattr *nest, unsigned int dirs,
		int link_compat)
{
	struct nlattr *st[MOAT_STAT_MAX + 1];
	unsigned char have[MOAT_STAT_MAX + 1] = { 0 };
	uint64_t v[MOAT_STAT_MAX + 1] = { 0 };
	int i;

	if (moat_nla_nested(nest, st, MOAT_STAT_MAX))
		return;
	for (i = 0; i <= MOAT_STAT_MAX; i++)
		have[i] = moat_nla_u64(st[i], &v[i]) == 0;
	if (s->as_json) {
		json_open_object(&s->json, "stats");
		if (link_compat) {
			json_open_object(&s->json, "rx");
			json_u64(&s->json, "packets", v[MOAT_STAT_RX_PACKETS]);
			json_u64(&s->json, "bytes", v[MOAT_STAT_RX_BYTES]);
			json_close_object(&s->json);
			json_open_object(&s->json, "tx");
			json_u64(&s->json, "packets", v[MOAT_STAT_TX_PACKETS]);
			json_u64(&s->json, "bytes", v[MOAT_STAT_TX_BYTES]);
			json_close_object(&s->json);
		}
		for (i = 0; i <= MOAT_STAT_MAX; i++)
			if (have[i] && moat_stat_names[i].json)
				json_u64(&s->json, moat_stat_names[i].json, v[i]);
		json_close_object(&s->json);
		return;
	}
	if (dirs & STAT_RX)
		fprintf(s->out, "    RX: packets %" PRIu64 " bytes %" PRIu64 "\n",
			v[MOAT_STAT_RX_PACKETS], v[MOAT_STAT_RX_BYTES]);
	if (dirs & STAT_TX)
		fprintf(s->out, "    TX: packets %" PRIu64 " bytes %" PRIu64 "\n",
			v[MOAT_STAT_TX_PACKETS], v[MOAT_STAT_TX_BYTES]);
	if (dirs & STAT_RX)
		drops_line(s, v, have, STAT_RX, "    RX drops:");
	if (dirs & STAT_TX)
		drops_line(s, v, have, STAT_TX, "    TX drops:");
	if (dirs & STAT_PMTU)
		pmtu_line(s, v, have);
}

/* The first of @a4 and @a6 that holds a whole address. */
static int nla_addr(struct nlattr *a4, struct nlattr *a6, struct moat_addr *out)
{
	if (a4 && !addr_from_raw(out, AF_INET, nla_data(a4),
				 (size_t)(nla_len(a4) > 0 ? nla_len(a4) : 0)))
		return 0;
	if (a6 && !addr_from_raw(out, AF_INET6, nla_data(a6),
				 (size_t)(nla_len(a6) > 0 ? nla_len(a6) : 0)))
		return 0;
	memset(out, 0, sizeof(*out));
	return -1;
}

/* The device a reply is about: its own word, else the one asked for. */
static const char *reply_dev(struct moat_show *s, struct nlattr **tb,
			     char *buf, size_t len)
{
	if (!moat_nla_str(tb[MOAT_A_IFNAME], buf, len) && buf[0])
		return buf;
	return s->dev ? s->dev : "?";
}

static const char *enum_name(const char *const *names, size_t n, unsigned int v,
			     char *buf, size_t len)
{
	if (v < n && names[v])
		return names[v];
	snprintf(buf, len, "unknown(%u)", v);
	return buf;
}

/* Text output pieces on an indented line: "    a b c\n". */
struct line {
	FILE *out;
	int started;
};

__attribute__((format(printf, 2, 3)))
static void piece(struct line *l, const char *fmt, ...)
{
	va_list ap;

	fputs(l->started ? " " : "    ", l->out);
	l->started = 1;
	va_start(ap, fmt);
	vfprintf(l->out, fmt, ap);
	va_end(ap);
}

static void line_end(struct line *l)
{
	if (l->started)
		fputc('\n', l->out);
	l->started = 0;
}

static void print_ts(struct moat_show *s, struct nlattr *nest)
{
	char buf[MOAT_PREFIX_STRLEN];
	struct nlattr *e;
	int rem, n = 0;

	if (s->as_json)
		json_open_array(&s->json, "ts");
	else
		fputs("    ts ", s->out);
	if (nest) {
		nla_for_each_nested(e, nest, rem) {
			struct nlattr *et[MOAT_TS_A_MAX + 1];
			struct moat_prefix p;
			uint8_t len;

			if (nla_type(e) != MOAT_TS_A_ENTRY ||
			    moat_nla_nested(e, et, MOAT_TS_A_MAX))
				continue;
			if (nla_addr(et[MOAT_TS_A_ADDR4], et[MOAT_TS_A_ADDR6],
				     &p.addr)) {
				snprintf(buf, sizeof(buf), "?");
			} else {
				p.len = (uint8_t)addr_bits(&p.addr);
				if (!moat_nla_u8(et[MOAT_TS_A_PREFIXLEN], &len))
					p.len = len;
				format_prefix(&p, buf, sizeof(buf));
			}
			if (s->as_json)
				json_string(&s->json, NULL, buf);
			else
				fprintf(s->out, "%s%s", n ? "," : "", buf);
			n++;
		}
	}
	if (s->as_json)
		json_close_array(&s->json);
	else if (!n)
		fputs("none", s->out);
}

int peer_print(struct nl_msg *msg, void *arg)
{
	static const char *const encaps[] = {
		[MOAT_ENCAP_NONE] = "none",
		[MOAT_ENCAP_UDP] = "udp",
	};
	struct nlattr *tb[MOAT_A_MAX + 1], *pa[MOAT_PEER_A_MAX + 1];
	char rbuf[INET6_ADDRSTRLEN], lbuf[INET6_ADDRSTRLEN], dbuf[IFNAMSIZ];
	char ebuf[24];
	struct moat_addr remote, local;
	int have_remote, have_local, have_sport, have_dport, have_sas;
	uint16_t sport = 0, dport = 0;
	uint8_t encap = MOAT_ENCAP_NONE;
	const char *dev, *encap_name;
	struct moat_show *s = arg;
	uint32_t ifindex, sas = 0, pmtu = 0, mtu4 = 0, mtu6 = 0;
	int have_pmtu, have_mtu4, have_mtu6;

	if (moat_nl_parse(msg, tb, MOAT_A_MAX) ||
	    moat_nla_nested(tb[MOAT_A_PEER], pa, MOAT_PEER_A_MAX))
		return NL_SKIP;
	have_remote = !nla_addr(pa[MOAT_PEER_A_REMOTE4], pa[MOAT_PEER_A_REMOTE6],
				&remote);
	if (s->filter && (!have_remote || !addr_equal(&remote, s->filter)))
		return NL_OK;
	have_local = !nla_addr(pa[MOAT_PEER_A_LOCAL4], pa[MOAT_PEER_A_LOCAL6],
			       &local);
	moat_nla_u8(pa[MOAT_PEER_A_ENCAP], &encap);
	encap_name = enum_name(encaps, sizeof(encaps) / sizeof(encaps[0]),
			       encap, ebuf, sizeof(ebuf));
	/* u16 attributes: read two bytes, no more. */
	have_sport = pa[MOAT_PEER_A_SPORT] &&
		     nla_len(pa[MOAT_PEER_A_SPORT]) >= (int)sizeof(sport);
	if (have_sport)
		memcpy(&sport, nla_data(pa[MOAT_PEER_A_SPORT]), sizeof(sport));
	have_dport = pa[MOAT_PEER_A_DPORT] &&
		     nla_len(pa[MOAT_PEER_A_DPORT]) >= (int)sizeof(dport);
	if (have_dport)
		memcpy(&dport, nla_data(pa[MOAT_PEER_A_DPORT]), sizeof(dport));
	have_sas = !moat_nla_u32(pa[MOAT_PEER_A_N_SAS], &sas);
	have_pmtu = !moat_nla_u32(pa[MOAT_PEER_A_PMTU], &pmtu);
	have_mtu4 = !moat_nla_u32(pa[MOAT_PEER_A_INNER_MTU4], &mtu4);
	have_mtu6 = !moat_nla_u32(pa[MOAT_PEER_A_INNER_MTU6], &mtu6);
	dev = reply_dev(s, tb, dbuf, sizeof(dbuf));
	format_addr(&remote, rbuf, sizeof(rbuf));
	format_addr(&local, lbuf, sizeof(lbuf));
	s->count++;

	if (s->as_json) {
		json_open_object(&s->json, NULL);
		if (have_remote)
			json_string(&s->json, "remote", rbuf);
		if (have_local)
			json_string(&s->json, "local", lbuf);
		json_string(&s->json, "ifname", dev);
		if (!moat_nla_u32(tb[MOAT_A_IFINDEX], &ifindex))
			json_u64(&s->json, "ifindex", ifindex);
		json_string(&s->json, "encap", encap_name);
		if (have_sport)
			json_u64(&s->json, "sport", sport);
		if (have_dport)
			json_u64(&s->json, "dport", dport);
		print_ts(s, pa[MOAT_PEER_A_TS]);
		if (have_sas)
			json_u64(&s->json, "sas", sas);
		if (have_pmtu)
			json_u64(&s->json, "pmtu", pmtu);
		if (have_mtu4)
			json_u64(&s->json, "inner_mtu", mtu4);
		if (have_mtu6)
			json_u64(&s->json, "inner_mtu6", mtu6);
		if (s->stats)
			show_stats(s, pa[MOAT_PEER_A_STATS],
				   STAT_RX | STAT_TX | STAT_PMTU, 0);
		json_close_object(&s->json);
		return NL_OK;
	}
	fprintf(s->out, "peer %s", have_remote ? rbuf : "?");
	if (have_local)
		fprintf(s->out, " local %s", lbuf);
	fprintf(s->out, " dev %s encap %s", dev, encap_name);
	if (have_sport)
		fprintf(s->out, " sport %u", sport);
	if (have_dport)
		fprintf(s->out, " dport %u", dport);
	fputc('\n', s->out);
	print_ts(s, pa[MOAT_PEER_A_TS]);
	if (have_sas)
		fprintf(s->out, " sas %u", sas);
	fputc('\n', s->out);
	if (have_pmtu || have_mtu4 || have_mtu6) {
		fputs("   ", s->out);
		if (have_pmtu && pmtu)
			fprintf(s->out, " pmtu %u", pmtu);
		else if (have_pmtu)
			fputs(" pmtu none", s->out);
		if (have_mtu4)
			fprintf(s->out, " inner-mtu %u", mtu4);
		if (have_mtu6)
			fprintf(s->out, " inner-mtu6 %u", mtu6);
		fputc('\n', s->out);
	}
	if (s->stats)
		show_stats(s, pa[MOAT_PEER_A_STATS],
			   STAT_RX | STAT_TX | STAT_PMTU, 0);
	return NL_OK;
}

static void print_lifetime(struct moat_show *s, struct nlattr *nest)
{
	struct nlattr *lt[MOAT_LT_A_MAX + 1];
	struct line l = { s->out, 0 };
	char key[32];
	int limit, kind;

	if (moat_nla_nested(nest, lt, MOAT_LT_A_MAX) && !s->as_json)
		return;
	if (s->as_json)
		json_open_object(&s->json, "lifetime");
	for (limit = 0; limit < LT_LIMITS; limit++) {
		for (kind = 0; kind < LT_KINDS; kind++) {
			uint64_t v = 0;

			moat_nla_u64(lt[lifetime_attr(limit, kind)], &v);
			if (s->as_json) {
				snprintf(key, sizeof(key), "%s_%s",
					 lifetime_limit_names[limit],
					 lifetime_kind_names[kind]);
				json_u64(&s->json, key, v);
			} else if (v) {
				piece(&l, "%s%s %s %" PRIu64,
				      l.started ? "" : "lifetime ",
				      lifetime_limit_names[limit],
				      lifetime_kind_names[kind], v);
			}
		}
	}
	if (s->as_json)
		json_close_object(&s->json);
	else
		line_end(&l);
}

int sa_print(struct nl_msg *msg, void *arg)
{
	static const char *const dirs[] = {
		[MOAT_DIR_IN] = "in",
		[MOAT_DIR_OUT] = "out",
	};
	static const char *const states[] = {
		[MOAT_SA_STATE_CURRENT] = "current",
		[MOAT_SA_STATE_NEXT] = "next",
		[MOAT_SA_STATE_INBOUND] = "inbound",
	};
	struct nlattr *tb[MOAT_A_MAX + 1], *pa[MOAT_PEER_A_MAX + 1];
	struct nlattr *sa[MOAT_SA_A_MAX + 1];
	char pbuf[INET6_ADDRSTRLEN], dbuf[IFNAMSIZ], alg[MOAT_ALG_NAME_MAX + 1];
	char spi_hex[16], dirbuf[24], statebuf[24];
	uint32_t spi = 0, icv = 0, flags = 0, window = 0, ifindex;
	int have_spi, have_dir, have_state, have_alg, have_icv, have_flags;
	int have_window, have_seq, have_age, have_peer;
	uint64_t seq = 0, age = 0;
	uint8_t dir = 0, state = 0;
	const char *dev, *dir_name, *state_name;
	struct moat_show *s = arg;
	struct moat_addr peer;
	struct line l = { s->out, 0 };
	unsigned int stat_dirs;

	if (moat_nl_parse(msg, tb, MOAT_A_MAX) ||
	    moat_nla_nested(tb[MOAT_A_SA], sa, MOAT_SA_A_MAX))
		return NL_SKIP;
	have_peer = !moat_nla_nested(tb[MOAT_A_PEER], pa, MOAT_PEER_A_MAX) &&
		    !nla_addr(pa[MOAT_PEER_A_REMOTE4], pa[MOAT_PEER_A_REMOTE6],
			      &peer);
	if (!have_peer)
		memset(&peer, 0, sizeof(peer));
	if (s->filter && (!have_peer || !addr_equal(&peer, s->filter)))
		return NL_OK;
	have_spi = !moat_nla_u32(sa[MOAT_SA_A_SPI], &spi);
	have_dir = !moat_nla_u8(sa[MOAT_SA_A_DIR], &dir);
	have_state = !moat_nla_u8(sa[MOAT_SA_A_STATE], &state);
	have_alg = !moat_nla_str(sa[MOAT_SA_A_ALG], alg, sizeof(alg));
	have_icv = !moat_nla_u32(sa[MOAT_SA_A_ICV_BITS], &icv);
	have_flags = !moat_nla_u32(sa[MOAT_SA_A_FLAGS], &flags);
	have_window = !moat_nla_u32(sa[MOAT_SA_A_REPLAY_WINDOW], &window);
	have_seq = !moat_nla_u64(sa[MOAT_SA_A_SEQ], &seq);
	have_age = !moat_nla_u64(sa[MOAT_SA_A_AGE], &age);
	dir_name = enum_name(dirs, sizeof(dirs) / sizeof(dirs[0]), dir,
			     dirbuf, sizeof(dirbuf));
	state_name = enum_name(states, sizeof(states) / sizeof(states[0]),
			       state, statebuf, sizeof(statebuf));
	snprintf(spi_hex, sizeof(spi_hex), "0x%08x", spi);
	format_addr(&peer, pbuf, sizeof(pbuf));
	dev = reply_dev(s, tb, dbuf, sizeof(dbuf));
	stat_dirs = !have_dir ? STAT_RX | STAT_TX :
		    dir == MOAT_DIR_IN ? STAT_RX :
		    dir == MOAT_DIR_OUT ? STAT_TX : STAT_RX | STAT_TX;
	s->count++;

	if (s->as_json) {
		json_open_object(&s->json, NULL);
		if (have_spi) {
			json_u64(&s->json, "spi", spi);
			json_string(&s->json, "spi_hex", spi_hex);
		}
		if (have_dir)
			json_string(&s->json, "dir", dir_name);
		if (have_peer)
			json_string(&s->json, "peer", pbuf);
		json_string(&s->json, "ifname", dev);
		if (!moat_nla_u32(tb[MOAT_A_IFINDEX], &ifindex))
			json_u64(&s->json, "ifindex", ifindex);
		if (have_state)
			json_string(&s->json, "state", state_name);
		if (have_alg)
			json_string(&s->json, "alg", alg);
		if (have_icv)
			json_u64(&s->json, "icv_bits", icv);
		json_u64(&s->json, "flags", flags);
		json_bool(&s->json, "esn", !!(flags & MOAT_SA_F_ESN));
		if (have_window)
			json_u64(&s->json, "replay_window", window);
		if (have_seq)
			json_u64(&s->json, "seq", seq);
		if (have_age)
			json_u64(&s->json, "age", age);
		print_lifetime(s, sa[MOAT_SA_A_LIFETIME]);
		if (s->stats)
			show_stats(s, sa[MOAT_SA_A_STATS], stat_dirs, 0);
		json_close_object(&s->json);
		return NL_OK;
	}
	fprintf(s->out, "sa spi %s dir %s peer %s dev %s",
		have_spi ? spi_hex : "?", have_dir ? dir_name : "?",
		have_peer ? pbuf : "?", dev);
	if (have_state)
		fprintf(s->out, " state %s", state_name);
	fputc('\n', s->out);
	if (have_alg)
		piece(&l, "aead %s", alg);
	if (have_icv)
		piece(&l, "%u", icv);
	if (flags & MOAT_SA_F_ESN)
		piece(&l, "esn");
	if (have_flags && (flags & ~MOAT_SA_F_ESN))
		piece(&l, "flags 0x%x", flags & ~MOAT_SA_F_ESN);
	if (have_window)
		piece(&l, "replay-window %u", window);
	if (have_seq)
		piece(&l, "seq %" PRIu64, seq);
	if (have_age)
		piece(&l, "age %" PRIu64 "s", age);
	line_end(&l);
	print_lifetime(s, sa[MOAT_SA_A_LIFETIME]);
	if (s->stats)
		show_stats(s, sa[MOAT_SA_A_STATS], stat_dirs, 0);
	return NL_OK;
}
