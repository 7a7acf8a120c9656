/*
 * progress.c — the transfer progress line.  All text is formatted with
 * snprintf into bounded buffers; nothing is drawn unless enabled.
 */
#define _POSIX_C_SOURCE 200809L

#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define REDRAW_NS 100000000LL /* 100 ms */

int progress_wanted(int quiet, int debug) { return !quiet && !debug && isatty(STDERR_FILENO); }

static struct timespec now(void) {
  struct timespec t;
  if (clock_gettime(CLOCK_MONOTONIC, &t) != 0) memset(&t, 0, sizeof t);
  return t;
}

static long long elapsed_ns(const struct timespec *from, const struct timespec *to) {
  return (long long)(to->tv_sec - from->tv_sec) * 1000000000LL + (to->tv_nsec - from->tv_nsec);
}

/* "999 B", "12.3 KiB", "4.0 GiB" ... */
static void human(char *buf, size_t cap, double v) {
  static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  size_t u = 0;
  while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
    v /= 1024.0;
    u++;
  }
  if (u == 0)
    snprintf(buf, cap, "%.0f %s", v, units[u]);
  else
    snprintf(buf, cap, "%.1f %s", v, units[u]);
}

/* "1:02:03" or "02:03"; "--:--" when unknown. */
static void duration(char *buf, size_t cap, double secs) {
  unsigned long s;
  if (secs < 0 || secs > 359999.0) {
    snprintf(buf, cap, "--:--");
    return;
  }
  s = (unsigned long)secs;
  if (s >= 3600)
    snprintf(buf, cap, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
  else
    snprintf(buf, cap, "%02lu:%02lu", s / 60, s % 60);
}

static void draw(struct progress *p, const struct timespec *t) {
  char have[24], total[24], rate[24], eta[24], line[128];
  double secs = (double)elapsed_ns(&p->start, t) / 1e9;
  double bps = secs > 0.0 ? (double)p->done / secs : 0.0;
  uint64_t cur = p->offset + p->done;
  int n;
  human(have, sizeof have, (double)cur);
  human(rate, sizeof rate, bps);
  if (p->have_total && p->total > 0) {
    uint64_t left = p->total > cur ? p->total - cur : 0;
    human(total, sizeof total, (double)p->total);
    duration(eta, sizeof eta, bps > 0.0 ? (double)left / bps : -1.0);
    n = snprintf(line, sizeof line, "%10s / %-10s %3u%%  %10s/s  ETA %s", have, total,
                 (unsigned)(cur >= p->total ? 100 : cur * 100 / p->total), rate, eta);
  } else {
    duration(eta, sizeof eta, secs);
    n = snprintf(line, sizeof line, "%10s  %10s/s  %s", have, rate, eta);
  }
  if (n < 0) return;
  fprintf(stderr, "\r%s", line);
  for (size_t w = (size_t)n; w < p->last_width; w++) fputc(' ', stderr);
  fflush(stderr);
  p->last_width = (size_t)n;
  p->last_draw = *t;
  p->drawn = 1;
}

void progress_start(struct progress *p, int enabled, int64_t total, uint64_t offset) {
  memset(p, 0, sizeof *p);
  p->enabled = enabled;
  p->have_total = total >= 0;
  p->total = total >= 0 ? (uint64_t)total : 0;
  p->offset = offset;
  p->start = now();
  if (enabled) draw(p, &p->start);
}

void progress_add(struct progress *p, uint64_t n) {
  struct timespec t;
  p->done += n;
  if (!p->enabled) return;
  t = now();
  if (elapsed_ns(&p->last_draw, &t) >= REDRAW_NS) draw(p, &t);
}

void progress_end(struct progress *p) {
  struct timespec t;
  if (!p->enabled) return;
  t = now();
  draw(p, &t);
  fputc('\n', stderr);
  fflush(stderr);
}
