/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <string.h>

#include "iol_json.h"
#include "iol_stats.h"
#include "iol_units.h"

void
iol_report_totals(const struct iol_report *r, struct iol_qstats *tot)
{
	unsigned int p, q;

	iol_qstats_reset(tot);
	for (p = 0; p < r->n_ports; p++)
		for (q = 0; q < r->ports[p].n_queues; q++)
			iol_qstats_merge(tot, &r->ports[p].q[q]);
}

/* "lost 3, foreign 101": every class that counted, each on its own. */
static size_t
errors_text(const union iol_errors *e, char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < IOL_ERR_CLASSES && n < len; i++)
		if (e->v[i] != 0)
			n += snprintf(buf + n, len - n, "%s%s %" PRIu64, n ? ", " : "",
				iol_errors_name(i), e->v[i]);
	return n;
}

void
iol_report_verdict(const struct iol_report *r, struct iol_result *v)
{
	struct iol_qstats tot;
	uint64_t data;
	char errs[192];

	iol_report_totals(r, &tot);
	v->pass = false;
	if (iol_errors_any(&tot.err) || r->n_problems > 0) {
		errors_text(&tot.err, errs, sizeof(errs));
		snprintf(v->text, sizeof(v->text), "FAIL, %s%s%s%s%s",
			errs[0] ? "verification errors: " : "", errs,
			errs[0] && r->n_problems ? "; " : "",
			r->n_problems ? r->problems[0] : "",
			r->n_problems > 1 ? " (and more problems: see above)" : "");
		return;
	}
	data = tot.rx_pkts - RTE_MIN(tot.rx_pkts, tot.end_frames);
	if (strcmp(r->mode, "txonly") == 0) {
		if (tot.tx_pkts == 0) {
			snprintf(v->text, sizeof(v->text), "FAIL, no frame was sent");
			return;
		}
		snprintf(v->text, sizeof(v->text), "PASS, %" PRIu64 " frames sent "
			"(the receiver verifies them)", tot.tx_pkts);
	} else if (strcmp(r->verify, "none") == 0) {
		if (tot.rx_pkts == 0) {
			snprintf(v->text, sizeof(v->text), "FAIL, no frame was received");
			return;
		}
		snprintf(v->text, sizeof(v->text), "PASS, %" PRIu64 " frames received, "
			"none lost (--verify none: contents not checked)", tot.rx_pkts);
	} else if (tot.verified == 0) {
		snprintf(v->text, sizeof(v->text), "FAIL, no frame was verified "
			"(%" PRIu64 " received)", tot.rx_pkts);
		return;
	} else if (tot.verified != data) {
		/* Every class is zero, so this is a frame no class explains. */
		snprintf(v->text, sizeof(v->text), "FAIL, only %" PRIu64 " of %" PRIu64
			" data frames received were verified", tot.verified, data);
		return;
	} else {
		snprintf(v->text, sizeof(v->text), "PASS, all %" PRIu64 " data frames "
			"received were verified (and %" PRIu64 " end-of-flow frames)",
			tot.verified, tot.end_frames);
	}
	v->pass = true;
}

static void
port_totals(const struct iol_report_port *p, struct iol_qstats *tot)
{
	unsigned int q;

	iol_qstats_reset(tot);
	for (q = 0; q < p->n_queues; q++)
		iol_qstats_merge(tot, &p->q[q]);
}

static void
print_errors(FILE *out, const char *indent, const union iol_errors *e)
{
	unsigned int i;

	fprintf(out, "%s", indent);
	for (i = 0; i < IOL_ERR_CLASSES; i++)
		fprintf(out, "%s%s: %" PRIu64, i ? "  " : "", iol_errors_name(i), e->v[i]);
	fprintf(out, "\n");
}

void
iol_report_latency_print(FILE *out, const char *indent, const struct iol_hist *h, uint64_t hz)
{
	if (h->count == 0)
		return;
	fprintf(out, "%slatency ns: min %.0f  p50 %.0f  p99 %.0f  max %.0f  (%" PRIu64 " samples)\n",
		indent, iol_cycles_to_ns(h->min, hz),
		iol_cycles_to_ns(iol_hist_quantile(h, 0.5), hz),
		iol_cycles_to_ns(iol_hist_quantile(h, 0.99), hz),
		iol_cycles_to_ns(h->max, hz), h->count);
}

static void
print_dev_counters(FILE *out, const struct iol_dev_counters *d)
{
	if (!d->valid)
		return;
	fprintf(out, "  Device: imissed %" PRIu64 "  ierrors %" PRIu64 "  rx_nombuf %"
		PRIu64 "  oerrors %" PRIu64 "\n", d->imissed, d->ierrors, d->rx_nombuf,
		d->oerrors);
}

static void
print_steer(FILE *out, const struct iol_report_steer *s, const struct iol_qstats *pt)
{
	if (s->kind == NULL || strcmp(s->kind, "none") == 0)
		return;
	if (strcmp(s->kind, "rss-predicted") != 0) {
		fprintf(out, "  Steering: %s\n", s->kind);
		return;
	}
	fprintf(out, "  Steering: %s, %s hashed, key %u bytes, reta %u entries, "
		"device hash %s: %" PRIu64 " checked, %" PRIu64 " mismatched\n", s->kind,
		s->hashed, s->key_len, s->reta_size, s->hash_in_mbuf ? "offered" : "not offered",
		pt->rss_checked, pt->rss_mismatch);
}

void
iol_report_print(const struct iol_report *r, const struct iol_result *v, FILE *out)
{
	struct iol_qstats tot, pt;
	char sz[32];
	unsigned int i, q;

	fprintf(out, "\n  ---------------------- iovaloop report ----------------------\n");
	fprintf(out, "  mode %s, verify %s, run 0x%08x, %u-byte %s frames, burst %u, "
		"%u in flight, %.2f s\n", r->mode, r->verify, r->run_id,
		r->pkt_size, r->frame ? r->frame : "?", r->burst, r->inflight, r->secs);
	fprintf(out, "  memory %s, IOVA as %s, %s pages, NUMA %d\n",
		r->memory.kind, strcmp(r->memory.iova_mode, "va") == 0 ? "VA" : "PA",
		iol_size_str(r->memory.page_size, IOL_SIZE_HUMAN, sz, sizeof(sz)), r->memory.numa_node);
	for (i = 0; i < r->memory.n_ranges && i < 4; i++)
		fprintf(out, "    IOVA 0x%012" PRIx64 "-0x%012" PRIx64 " (VA 0x%" PRIx64 ", %s)\n",
			r->memory.ranges[i].iova,
			r->memory.ranges[i].iova + r->memory.ranges[i].len - 1,
			r->memory.ranges[i].va,
			iol_size_str(r->memory.ranges[i].len, IOL_SIZE_HUMAN, sz, sizeof(sz)));
	if (r->memory.n_ranges > 4)
		fprintf(out, "    ... and %u more IOVA ranges (see --json)\n", r->memory.n_ranges - 4);

	for (i = 0; i < r->n_ports; i++) {
		const struct iol_report_port *p = &r->ports[i];

		port_totals(p, &pt);
		fprintf(out, "  ------------- port %u (%s) -------------\n", p->port_id, p->name);
		fprintf(out, "  RX-packets: %-14" PRIu64 " RX-Mpps: %-9.3f RX-Gbps: %.3f L2, %.3f wire\n",
			pt.rx_pkts, iol_rate_mpps(pt.rx_pkts, r->secs),
			iol_rate_gbps_l2(pt.rx_bytes, r->secs),
			iol_rate_gbps_wire(pt.rx_pkts, pt.rx_bytes, r->secs));
		fprintf(out, "  TX-packets: %-14" PRIu64 " TX-Mpps: %-9.3f TX-Gbps: %.3f L2, %.3f wire\n",
			pt.tx_pkts, iol_rate_mpps(pt.tx_pkts, r->secs),
			iol_rate_gbps_l2(pt.tx_bytes, r->secs),
			iol_rate_gbps_wire(pt.tx_pkts, pt.tx_bytes, r->secs));
		fprintf(out, "  Verified:   %" PRIu64 "\n", pt.verified);
		print_errors(out, "  ", &pt.err);
		print_dev_counters(out, &p->dev);
		print_steer(out, &p->steer, &pt);
		iol_report_latency_print(out, "  ", &pt.lat, r->tsc_hz);
		for (q = 0; p->n_queues > 1 && q < p->n_queues; q++)
			fprintf(out, "    queue %u (lcore %u): rx %" PRIu64 " tx %" PRIu64
				" verified %" PRIu64 " errors %" PRIu64 "\n", q, p->lcore[q],
				p->q[q].rx_pkts, p->q[q].tx_pkts, p->q[q].verified,
				iol_errors_total(&p->q[q].err));
	}

	iol_report_totals(r, &tot);
	fprintf(out, "  ------------- all ports -------------\n");
	fprintf(out, "  RX %" PRIu64 " (%.3f Mpps)  TX %" PRIu64 " (%.3f Mpps)  verified %" PRIu64 "\n",
		tot.rx_pkts, iol_rate_mpps(tot.rx_pkts, r->secs), tot.tx_pkts,
		iol_rate_mpps(tot.tx_pkts, r->secs), tot.verified);
	print_errors(out, "  ", &tot.err);
	iol_report_latency_print(out, "  ", &tot.lat, r->tsc_hz);
	for (i = 0; i < r->n_cores; i++) {
		const struct iol_core_stats *c = r->cores[i].s;

		fprintf(out, "  lcore %u: %" PRIu64 " packets, %.1f cycles/packet (%.1f busy)\n",
			r->cores[i].lcore, c->pkts,
			c->pkts ? (double)c->cycles / (double)c->pkts : 0,
			c->pkts ? (double)c->busy_cycles / (double)c->pkts : 0);
	}
	for (i = 0; i < r->n_diagnosis; i++)
		fprintf(out, "  likely cause: %s\n", r->diagnosis[i]);

	fprintf(out, "  Result: %s\n", v->text);
	fprintf(out, "  -------------------------------------------------------------\n");
}

static void
json_errors(struct iol_json *j, const union iol_errors *e)
{
	unsigned int i;

	iol_json_object_open(j, "errors");
	for (i = 0; i < IOL_ERR_CLASSES; i++)
		iol_json_u64(j, iol_errors_name(i), e->v[i]);
	iol_json_object_close(j);
}

void
iol_report_latency_json(struct iol_json *j, const struct iol_hist *h, uint64_t hz, bool buckets)
{
	uint64_t low, width;
	unsigned int i;

	iol_json_object_open(j, "latency_ns");
	iol_json_u64(j, "count", h->count);
	if (h->count > 0) {
		iol_json_double(j, "min", iol_cycles_to_ns(h->min, hz));
		iol_json_double(j, "p50", iol_cycles_to_ns(iol_hist_quantile(h, 0.5), hz));
		iol_json_double(j, "p99", iol_cycles_to_ns(iol_hist_quantile(h, 0.99), hz));
		iol_json_double(j, "max", iol_cycles_to_ns(h->max, hz));
	}
	if (!buckets) {
		iol_json_object_close(j);
		return;
	}
	/* The histogram itself, for plots: [low, high) in ns and the count. */
	iol_json_array_open(j, "buckets");
	for (i = 0; i < IOL_HIST_BUCKETS; i++) {
		if (h->bucket[i] == 0)
			continue;
		iol_hist_bucket_span(i, &low, &width);
		iol_json_array_open(j, NULL);
		iol_json_double(j, NULL, iol_cycles_to_ns(low, hz));
		iol_json_double(j, NULL, iol_cycles_to_ns(low + width, hz));
		iol_json_u64(j, NULL, h->bucket[i]);
		iol_json_array_close(j);
	}
	iol_json_array_close(j);
	iol_json_object_close(j);
}

static void
json_timeline(struct iol_json *j, const struct iol_report *r)
{
	unsigned int i;

	iol_json_array_open(j, "timeline");
	for (i = 0; i < r->n_samples; i++) {
		const struct iol_sample *s = &r->samples[i];

		iol_json_object_open(j, NULL);
		iol_json_double(j, "t", s->t);
		iol_json_double(j, "rx_mpps", s->rx_mpps);
		iol_json_double(j, "tx_mpps", s->tx_mpps);
		iol_json_u64(j, "rx_packets", s->rx_pkts);
		iol_json_u64(j, "verified", s->verified);
		iol_json_u64(j, "errors", s->errors);
		iol_json_object_close(j);
	}
	iol_json_array_close(j);
}

static void
json_counts(struct iol_json *j, const struct iol_qstats *s, double secs)
{
	iol_json_u64(j, "rx_packets", s->rx_pkts);
	iol_json_u64(j, "tx_packets", s->tx_pkts);
	iol_json_u64(j, "rx_bytes", s->rx_bytes);
	iol_json_u64(j, "tx_bytes", s->tx_bytes);
	iol_json_u64(j, "verified", s->verified);
	iol_json_u64(j, "end_frames", s->end_frames);
	iol_json_u64(j, "rss_hash_checked", s->rss_checked);
	iol_json_u64(j, "rss_hash_mismatch", s->rss_mismatch);
	iol_json_double(j, "rx_mpps", iol_rate_mpps(s->rx_pkts, secs));
	iol_json_double(j, "tx_mpps", iol_rate_mpps(s->tx_pkts, secs));
	iol_json_double(j, "rx_gbps_l2", iol_rate_gbps_l2(s->rx_bytes, secs));
	iol_json_double(j, "rx_gbps_wire", iol_rate_gbps_wire(s->rx_pkts, s->rx_bytes, secs));
}

static void
json_dev_counters(struct iol_json *j, const struct iol_dev_counters *d)
{
	if (!d->valid) {
		iol_json_null(j, "device");
		return;
	}
	iol_json_object_open(j, "device");
	iol_json_u64(j, "imissed", d->imissed);
	iol_json_u64(j, "ierrors", d->ierrors);
	iol_json_u64(j, "rx_nombuf", d->rx_nombuf);
	iol_json_u64(j, "oerrors", d->oerrors);
	iol_json_object_close(j);
}

static void
json_steer(struct iol_json *j, const struct iol_report_steer *s)
{
	bool rss = s->kind != NULL && strcmp(s->kind, "rss-predicted") == 0;

	iol_json_object_open(j, "steering");
	iol_json_string(j, "kind", s->kind ? s->kind : "none");
	if (rss) {
		iol_json_string(j, "hashed", s->hashed);
		iol_json_u64(j, "key_len", s->key_len);
		iol_json_u64(j, "reta_size", s->reta_size);
		iol_json_bool(j, "hash_in_mbuf", s->hash_in_mbuf);
	}
	iol_json_object_close(j);
}

int
iol_report_json(const struct iol_report *r, const struct iol_result *v, FILE *out)
{
	struct iol_qstats tot, pt;
	struct iol_json j;
	unsigned int i, q;
	char hex[16];

	iol_report_totals(r, &tot);
	iol_json_init(&j, out);
	iol_json_object_open(&j, NULL);
	iol_json_string(&j, "format", "iovaloop-report");
	iol_json_u64(&j, "format_version", IOL_REPORT_FORMAT_VERSION);
	iol_json_string(&j, "version", r->version);

	iol_json_object_open(&j, "config");
	iol_json_string(&j, "mode", r->mode);
	iol_json_string(&j, "verify", r->verify);
	iol_json_string(&j, "frame", r->frame);
	snprintf(hex, sizeof(hex), "0x%08x", r->run_id);
	iol_json_string(&j, "run_id", hex);
	iol_json_u64(&j, "pkt_size", r->pkt_size);
	iol_json_u64(&j, "burst", r->burst);
	iol_json_u64(&j, "inflight", r->inflight);
	iol_json_string(&j, "payload_variant", r->payload_variant ? r->payload_variant : "scalar");
	iol_json_object_close(&j);
	iol_json_double(&j, "duration_s", r->secs);
	iol_json_u64(&j, "tsc_hz", r->tsc_hz);

	iol_json_object_open(&j, "memory");
	iol_json_string(&j, "kind", r->memory.kind);
	iol_json_string(&j, "iova_mode", r->memory.iova_mode);
	iol_json_u64(&j, "page_size", r->memory.page_size);
	iol_json_i64(&j, "numa_node", r->memory.numa_node);
	iol_json_array_open(&j, "ranges");
	for (i = 0; i < r->memory.n_ranges; i++) {
		iol_json_object_open(&j, NULL);
		iol_json_hex(&j, "va", r->memory.ranges[i].va);
		iol_json_hex(&j, "iova", r->memory.ranges[i].iova);
		iol_json_u64(&j, "len", r->memory.ranges[i].len);
		iol_json_object_close(&j);
	}
	iol_json_array_close(&j);
	iol_json_object_close(&j);

	iol_json_array_open(&j, "ports");
	for (i = 0; i < r->n_ports; i++) {
		const struct iol_report_port *p = &r->ports[i];

		port_totals(p, &pt);
		iol_json_object_open(&j, NULL);
		iol_json_u64(&j, "port", p->port_id);
		iol_json_string(&j, "name", p->name);
		json_counts(&j, &pt, r->secs);
		json_errors(&j, &pt.err);
		json_dev_counters(&j, &p->dev);
		json_steer(&j, &p->steer);
		iol_report_latency_json(&j, &pt.lat, r->tsc_hz, true);
		iol_json_array_open(&j, "queues");
		for (q = 0; q < p->n_queues; q++) {
			iol_json_object_open(&j, NULL);
			iol_json_u64(&j, "queue", q);
			iol_json_u64(&j, "lcore", p->lcore[q]);
			json_counts(&j, &p->q[q], r->secs);
			json_errors(&j, &p->q[q].err);
			iol_report_latency_json(&j, &p->q[q].lat, r->tsc_hz, true);
			iol_json_object_close(&j);
		}
		iol_json_array_close(&j);
		iol_json_object_close(&j);
	}
	iol_json_array_close(&j);

	iol_json_object_open(&j, "totals");
	json_counts(&j, &tot, r->secs);
	iol_json_double(&j, "mpps", iol_rate_mpps(tot.rx_pkts, r->secs));
	iol_json_double(&j, "gbps_l2", iol_rate_gbps_l2(tot.rx_bytes, r->secs));
	iol_json_double(&j, "gbps_wire", iol_rate_gbps_wire(tot.rx_pkts, tot.rx_bytes, r->secs));
	iol_json_object_close(&j);
	json_errors(&j, &tot.err);

	iol_report_latency_json(&j, &tot.lat, r->tsc_hz, true);
	json_timeline(&j, r);

	iol_json_array_open(&j, "cores");
	for (i = 0; i < r->n_cores; i++) {
		const struct iol_core_stats *c = r->cores[i].s;

		iol_json_object_open(&j, NULL);
		iol_json_u64(&j, "lcore", r->cores[i].lcore);
		iol_json_u64(&j, "packets", c->pkts);
		iol_json_u64(&j, "polls", c->polls);
		iol_json_double(&j, "cycles_per_packet",
			c->pkts ? (double)c->cycles / (double)c->pkts : 0);
		iol_json_double(&j, "busy_cycles_per_packet",
			c->pkts ? (double)c->busy_cycles / (double)c->pkts : 0);
		iol_json_object_close(&j);
	}
	iol_json_array_close(&j);

	iol_json_array_open(&j, "diagnosis");
	for (i = 0; i < r->n_diagnosis; i++)
		iol_json_string(&j, NULL, r->diagnosis[i]);
	iol_json_array_close(&j);
	iol_json_array_open(&j, "problems");
	for (i = 0; i < r->n_problems; i++)
		iol_json_string(&j, NULL, r->problems[i]);
	iol_json_array_close(&j);
	iol_json_string(&j, "result", v->pass ? "pass" : "fail");
	iol_json_string(&j, "result_text", v->text);
	iol_json_object_close(&j);
	return iol_json_finish(&j);
}

void
iol_sample_take(struct iol_sample *s, const struct iol_qstats *now,
		const struct iol_qstats *prev, double t, double dt)
{
	s->t = t;
	s->rx_mpps = iol_rate_mpps(now->rx_pkts - prev->rx_pkts, dt);
	s->tx_mpps = iol_rate_mpps(now->tx_pkts - prev->tx_pkts, dt);
	s->rx_pkts = now->rx_pkts;
	s->verified = now->verified;
	s->errors = iol_errors_total(&now->err);
}

void
iol_report_live(FILE *out, const struct iol_sample *s, uint64_t lost)
{
	fprintf(out, "[%7.1f s] RX %.3f Mpps TX %.3f Mpps  total rx %" PRIu64
		" verified %" PRIu64 " errors %" PRIu64 " (lost %" PRIu64 ")\n",
		s->t, s->rx_mpps, s->tx_mpps, s->rx_pkts, s->verified, s->errors, lost);
	fflush(out);
}
